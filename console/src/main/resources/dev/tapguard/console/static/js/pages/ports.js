// Ports: name, fixed IPs, security groups and host; each opens the port page.
import { h, table } from '../dom.js';
import { get } from '../api.js';
import { href } from '../nav.js';

export async function render(main, ctx) {
  const [portsRes, groupsRes] = await Promise.all([
    get('/v2.0/ports'),
    get('/v2.0/security-groups?fields=id&fields=name'),
  ]);
  if (ctx.stale()) return;
  const names = new Map((groupsRes.security_groups || []).map(g => [g.id, g.name]));
  const ports = (portsRes.ports || []).sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  const filter = h('input', { type: 'search', placeholder: 'Filter by name, ID, address, group or host', 'aria-label': 'Filter ports',
    'data-filter': true, value: ctx.query.get('filter') || '' });
  const holder = h('div');
  main.append(h('h1', null, 'Ports'), h('div', { class: 'bar' }, h('div', { class: 'grow' }, filter)), holder);

  const text = p => [p.name, p.id, p['binding:host_id'], p.device_owner, ...(p.fixed_ips || []).map(f => f.ip_address),
    ...(p.security_groups || []).map(g => names.get(g) || g)].join(' ').toLowerCase();
  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    const rows = ports.filter(p => !f || text(p).includes(f)).map(p => ({
      attrs: { 'data-id': p.id },
      cells: [
        h('a', { href: href(`/ports/${p.id}`), class: 'port-name' }, p.name || p.id.slice(0, 8)),
        { cell: p.id, class: 'mono' },
        { cell: (p.fixed_ips || []).map(f => f.ip_address).join(', '), class: 'mono' },
        (p.security_groups || []).length === 0 ?
          h('span', { class: 'muted' }, p.port_security_enabled === false ? 'port security off' : 'none') :
          (p.security_groups || []).map(g => h('a', { class: 'tag', href: href(`/security-groups/${g}`) }, names.get(g) || g.slice(0, 8))),
        'binding:host_id' in p ? (p['binding:host_id'] || h('span', { class: 'muted' }, 'unbound')) :
          h('span', { class: 'muted', title: 'binding:host_id is shown to admins only' }, 'hidden'),
        p.device_owner || '',
        p.status || '',
      ],
    }));
    holder.replaceChildren(table(['Name', 'ID', 'Fixed IPs', 'Security Groups', 'Host', 'Device Owner', 'Status'], rows,
      { label: 'Ports', class: 'ports', empty: f ? 'No port matches the filter.' : 'No ports.' }));
  };
  filter.addEventListener('input', draw);
  draw();
}
