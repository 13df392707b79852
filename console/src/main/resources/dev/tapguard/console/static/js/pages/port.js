// A port: its facts, its effective firewall rules per direction (the rendered chains, each rule linked to the
// security-group rule behind it) and a trace form (packet fields -> verdict and path, as `tapguard trace`).
import { h, table, errorBox } from '../dom.js';
import { get, post, ApiError } from '../api.js';
import { go, href } from '../nav.js';
import { summary } from '../rules.js';

const TABS = [['ingress', 'Ingress'], ['egress', 'Egress'], ['spoof', 'Anti-spoofing'], ['trace', 'Trace']];

const ROLES = {
  SKELETON: 'layout', PORT_DISPATCH: 'port dispatch', SECURITY_GROUP_RULE: 'security group rule',
  PROVIDER_RULE: 'DHCP/RA from the network', ICMPV6_INGRESS: 'neighbour discovery/MLD', EGRESS_ALLOW: 'always allowed out',
  EGRESS_DROP: 'never allowed out', ANTI_SPOOF: 'anti-spoofing', STATE_ASSOC: 'return traffic', INVALID_DROP: 'invalid state',
  FALLBACK: 'nothing allowed it', PORT_SECURITY_DISABLED: 'port security off', TRUSTED: 'trusted port',
  CONNTRACK: 'conntrack zone', FOREIGN: 'not Tapguard\'s',
};

export async function render(main, ctx) {
  const id = ctx.params[0];
  const [portRes, groupsRes] = await Promise.all([
    get(`/v2.0/ports/${encodeURIComponent(id)}`),
    get('/v2.0/security-groups'),
  ]);
  if (ctx.stale()) return;
  const port = portRes.port;
  const groups = new Map((groupsRes.security_groups || []).map(g => [g.id, g]));
  const tab = TABS.some(t => t[0] === ctx.query.get('tab')) ? ctx.query.get('tab') : 'ingress';
  const ips = (port.fixed_ips || []).map(f => f.ip_address);

  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: href('/ports') }, 'Ports'), ' / ', port.name || port.id),
    h('h1', null, `Port ${port.name || port.id.slice(0, 8)}`, h('span', { class: 'muted mono', style: 'font-size:.6em;margin-left:.6em' }, port.id)),
    h('dl', { class: 'kv card' },
      h('dt', null, 'Fixed IPs'), h('dd', { class: 'mono' }, ips.join(', ') || '-'),
      h('dt', null, 'MAC address'), h('dd', { class: 'mono' }, port.mac_address),
      h('dt', null, 'Host'), h('dd', null, 'binding:host_id' in port ? (port['binding:host_id'] || 'unbound') : 'hidden (admins only)'),
      h('dt', null, 'Security groups'), h('dd', null, (port.security_groups || []).length ?
        port.security_groups.map(g => h('a', { class: 'tag', href: href(`/security-groups/${g}`) }, groups.get(g)?.name || g)) : 'none'),
      h('dt', null, 'Port security'), h('dd', null, port.port_security_enabled === false ? 'disabled (no filtering)' : 'enabled'),
      (port.allowed_address_pairs || []).length ? [h('dt', null, 'Allowed address pairs'),
        h('dd', { class: 'mono' }, port.allowed_address_pairs.map(p => `${p.ip_address} ${p.mac_address}`).join(', '))] : null,
      h('dt', null, 'Network'), h('dd', { class: 'mono' }, port.network_id),
      h('dt', null, 'Device owner'), h('dd', null, port.device_owner || '-')),
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Port views' }, TABS.map(([t, name]) =>
      h('a', { role: 'tab', id: `tab-${t}`, href: href(`/ports/${port.id}`, { tab: t }), 'aria-selected': String(t === tab) }, name))));
  const panel = h('section', { role: 'tabpanel', 'aria-labelledby': `tab-${tab}`, id: 'panel' });
  main.appendChild(panel);

  if (tab === 'trace') {
    await traceTab(panel, port, ctx, groups);
  } else {
    await rulesTab(panel, port, tab, groups);
  }
}

async function effective(portId) {
  try {
    const res = await get(`/v2.0/tapguard/ports/${encodeURIComponent(portId)}/effective-rules`);
    return res.effective_rules;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && !e.type) {
      throw new ApiError(404, 'NotSupported', 'This server does not render effective rules (it is not a tapguard server).');
    }
    throw e;
  }
}

async function rulesTab(panel, port, tab, groups) {
  let eff;
  try {
    eff = await effective(port.id);
  } catch (e) {
    panel.appendChild(errorBox(e));
    return;
  }
  panel.appendChild(h('p', { class: 'muted' },
    `Rendered for host ${eff.host || '(unbound)'} at revision ${eff.revision}, in Neutron's iptables_hybrid layout`,
    tab === 'ingress' ? ': traffic to the VM.' : tab === 'egress' ? ': traffic from the VM.' : ': what the VM may send as its source.'));
  const chains = (eff.chains || []).filter(c => c.direction === tab);
  if (chains.length === 0) {
    panel.appendChild(h('p', { class: 'empty' }, eff.note || 'No chain for this port on its host (port security off, or the port is not bound).'));
  }
  for (const c of chains) {
    panel.appendChild(h('div', { class: 'chain' },
      h('h3', null, `${c.family} ${c.table} `, h('span', null, c.name)),
      chainTable(c, groups)));
  }
  if ((eff.deviations || []).length) {
    panel.appendChild(h('h3', null, 'Where Tapguard differs from Neutron here'));
    panel.appendChild(h('ul', { class: 'warnings' }, eff.deviations.map(d => h('li', { class: 'info' }, d.message || d.code))));
  }
}

function ruleLink(r, groups) {
  if (!r.security_group_rule_id) return h('span', { class: 'muted' }, ROLES[r.role] || r.role || '');
  const g = groups.get(r.security_group_id);
  const sgr = g && (g.security_group_rules || []).find(x => x.id === r.security_group_rule_id);
  return h('a', { class: 'sg-rule-link', 'data-rule-id': r.security_group_rule_id,
    href: href(`/security-groups/${r.security_group_id}`, { rule: r.security_group_rule_id }) },
  `${g ? g.name : r.security_group_id.slice(0, 8)}: ${sgr ? summary(sgr) : r.security_group_rule_id.slice(0, 8)}`);
}

function chainTable(c, groups, hitIndex) {
  const rows = c.rules.map(r => ({
    attrs: { class: [r.security_group_rule_id ? 'sg' : '', r.index === hitIndex ? 'hit' : ''].join(' ').trim() || null },
    cells: [String(r.index), { cell: r.text, class: 'text' }, ruleLink(r, groups)],
  }));
  return table(['#', 'Rule', 'Why it is there'], rows, { label: `Chain ${c.name}`, empty: 'Empty chain.' });
}

// ---- trace

const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'];

async function traceTab(panel, port, ctx, groups) {
  const q = ctx.query;
  const ip = (port.fixed_ips || [])[0]?.ip_address || '';
  const v6 = ip.includes(':');
  const direction = q.get('direction') || 'ingress';
  const defaults = direction === 'ingress' ?
    { src: v6 ? '2001:db8::10' : '203.0.113.10', dst: ip } : { src: ip, dst: v6 ? '2001:db8::10' : '198.51.100.10' };
  const val = (k, d = '') => (q.has(k) ? q.get(k) : d);
  const input = (id, label, value, attrs = {}) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', { id, name: id, value, spellcheck: 'false', ...attrs }));
  const sel = (id, label, opts, value) => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name: id }, opts.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));

  const form = h('form', { class: 'card', id: 'trace-form', 'aria-label': 'Trace a packet' },
    h('h2', { style: 'margin-top:0' }, 'Trace a packet'),
    h('p', { class: 'hint' }, 'Walks the packet through the rules rendered for this port\'s host, as ', h('code', null, 'tapguard trace'), ' does.'),
    h('div', { class: 'form-grid' },
      sel('direction', 'Direction', [['ingress', 'Ingress (to this port)'], ['egress', 'Egress (from this port)']], direction),
      input('protocol', 'Protocol', val('protocol', 'tcp'), { 'aria-describedby': 'protocol-hint' }),
      input('src', 'Source IP', val('src', defaults.src)),
      input('dst', 'Destination IP', val('dst', defaults.dst)),
      input('sport', 'Source port', val('sport'), { inputmode: 'numeric' }),
      input('dport', 'Destination port', val('dport', q.has('protocol') ? '' : '22'), { inputmode: 'numeric' }),
      input('icmp_type', 'ICMP type', val('icmp_type'), { inputmode: 'numeric' }),
      input('icmp_code', 'ICMP code', val('icmp_code'), { inputmode: 'numeric' }),
      sel('ct', 'Conntrack state', CT_STATES.map(s => [s, s]), val('ct', 'NEW'))),
    h('p', { class: 'hint', id: 'protocol-hint' }, 'A name (tcp, udp, icmp, ipip, gre...) or a number 0-255.'),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary', id: 'run-trace' }, 'Trace')));
  const result = h('div', { id: 'trace-result', 'aria-live': 'polite' });
  panel.append(form, result);

  const fieldsOf = () => Object.fromEntries(['direction', 'protocol', 'src', 'dst', 'sport', 'dport', 'icmp_type', 'icmp_code', 'ct']
    .map(k => [k, form.elements[k].value.trim()]).filter(([, v]) => v !== ''));
  form.addEventListener('submit', e => {
    e.preventDefault();
    // the trace lives in the URL, so it can be shared and reloaded
    go(`/ports/${port.id}`, { tab: 'trace', ...fieldsOf(), run: '1' });
  });

  if (q.get('run') === '1') {
    ctx.keepFocus = true;
    result.appendChild(h('p', { class: 'muted' }, 'Tracing...'));
    const f = fieldsOf();
    const num = k => (f[k] === undefined ? null : (/^\d+$/.test(f[k]) ? parseInt(f[k], 10) : f[k]));
    const packet = { direction: f.direction, protocol: f.protocol ?? null, src_ip: f.src ?? null, dst_ip: f.dst ?? null,
      src_port: num('sport'), dst_port: num('dport'), icmp_type: num('icmp_type'), icmp_code: num('icmp_code'), ct_state: f.ct || 'NEW' };
    try {
      const res = await post(`/v2.0/tapguard/ports/${encodeURIComponent(port.id)}/trace`, { packet });
      result.replaceChildren(traceResult(res.trace, groups));
    } catch (e) {
      result.replaceChildren(errorBox(e.status === 404 && !e.type ?
        new ApiError(404, 'NotSupported', 'This server cannot trace (it is not a tapguard server).') : e));
    }
    const heading = result.querySelector('h2, .error');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
}

function traceResult(t, groups) {
  const d = t.decided_by;
  return h('div', { class: 'card', style: 'margin-top:1em' },
    h('h2', { style: 'margin-top:0' }, 'Verdict: ', h('span', { class: `verdict ${t.verdict}`, id: 'trace-verdict' }, t.verdict)),
    d ? h('div', { id: 'trace-decided-by' },
      h('p', null, 'Decided by rule ', h('strong', null, `#${d.index}`), ' of ', h('code', null, `${d.family} ${d.table} ${d.chain}`), ':'),
      h('p', null, h('code', null, d.text)),
      h('p', null, 'Because of: ', ruleLink(d, groups))) : null,
    (t.notes || []).length ? h('ul', { class: 'warnings' }, t.notes.map(n => h('li', { class: 'info' }, n))) : null,
    h('h3', null, 'Path'),
    h('ol', { class: 'path', id: 'trace-path' }, (t.path || []).map(s => h('li', { class: s.decides ? 'decides' : null },
      h('span', { class: 'mono' }, `${s.family} ${s.table} ${s.chain} #${s.index}`), ' ', h('code', null, s.text), ' → ',
      h('strong', null, s.result), s.security_group_rule_id ? [' · ', ruleLink(s, groups)] : null))));
}
