// A port: its facts, its effective firewall rules per direction (the rendered chains, each rule linked to the
// security-group rule behind it) and a trace form (packet fields -> verdict and path, as `tapguard trace`).
import { h, table, errorBox } from '../dom.js';
import { get, post, ApiError } from '../api.js';
import { go, href } from '../nav.js';
import { summary } from '../rules.js';

const TABS = [['ingress', 'Ingress'], ['egress', 'Egress'], ['spoof', 'Anti-spoofing'], ['dispatch', 'Dispatch'], ['trace', 'Trace']];

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
    { ingress: ': traffic to the VM.', egress: ': traffic from the VM.', spoof: ': the addresses the VM may send from.',
      dispatch: ': the jumps that send this port\'s traffic to its chains, and its conntrack zone.' }[tab]));
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
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: 'start' });
    }
  }
}

function traceResult(t, groups) {
  const d = t.decision;
  const steps = (t.hops || []).flatMap(hop => hop.steps.map(st => ({ ...st, family: hop.family })));
  const decides = st => d && st.kind === 'RULE' && st.chain === d.chain && st.number === d.rule_number;
  const path = steps.filter(st => st.kind !== 'RULE' || st.matched !== false || decides(st));
  const e = t.explanation;
  return h('div', { class: 'card', style: 'margin-top:1em' },
    h('h2', { style: 'margin-top:0' }, 'Verdict: ', h('span', { class: `verdict ${t.verdict}`, id: 'trace-verdict' }, t.verdict),
      t.decided ? null : h('span', { class: 'tag warn', style: 'margin-left:.6em' }, 'not fully decided')),
    t.packet ? h('p', { class: 'muted mono' }, `${t.packet.src} → ${t.packet.dst} protocol ${t.packet.protocol}` +
      (t.packet.dport !== null ? ` dport ${t.packet.dport}` : '') + (t.packet.icmp_type !== null ? ` icmp ${t.packet.icmp_type}/${t.packet.icmp_code}` : '') +
      ` · ${t.packet.ct_state} · in ${t.packet.physdev_in || '-'} out ${t.packet.physdev_out || '-'}`) : null,
    d ? h('div', { id: 'trace-decided-by' },
      h('p', null, d.rule_number > 0 ? ['Decided by rule ', h('strong', null, `#${d.rule_number}`), ' of '] : 'Decided by the policy of ',
        h('code', null, `${d.family || ''} ${d.table} ${d.chain}`), d.reason ? ` — ${d.reason}` : ''),
      d.rule_text ? h('p', null, h('code', { class: 'decision-rule' }, d.rule_text)) : null,
      h('p', null, 'Security-group rule behind it: ', d.security_group_rule_id ? ruleLink(d, groups) :
        h('span', { class: 'muted' }, `none (${ROLES[d.role] || d.role || 'built-in'})`))) : null,
    e ? h('div', { id: 'trace-explanation' },
      e.summary ? h('p', null, h('strong', null, 'Why: '), e.summary) : null,
      (e.notes || []).length ? h('ul', { class: 'warnings' }, e.notes.map(n => h('li', null, n))) : null,
      e.fix ? h('p', null, 'A rule that would allow it: ', h('code', { id: 'trace-fix' }, e.fix)) : null,
      (e.closest || []).length ? [h('h3', null, 'Closest rules'), h('ul', null, e.closest.map(c => h('li', null,
        h('code', null, `${c.chain} #${c.number}`), ' ', c.security_group_rule_id ? ruleLink(c, groups) : h('code', null, c.rule_text),
        ': ', c.mismatches.join('; '))))] : null) : null,
    (t.warnings || []).length ? h('ul', { class: 'warnings' }, t.warnings.map(w => h('li', { class: 'info' }, w))) : null,
    h('h3', null, 'Path'),
    h('ol', { class: 'path', id: 'trace-path' }, path.map(st => h('li', {
      class: [decides(st) ? 'decides' : '', st.kind === 'ENTER' ? 'enter' : '', st.matched === false ? 'nomatch' : ''].join(' ').trim() || null },
    st.kind === 'ENTER' ? ['enter ', h('code', null, `${st.family} ${st.table} ${st.chain}`)] :
      st.kind === 'RULE' ? [h('span', { class: 'mono' }, `#${st.number} `), h('code', null, st.rule_text), ' → ',
        h('strong', null, st.matched === null ? 'undecided' : st.matched ? (st.action || 'match') : 'no match'),
        st.security_group_rule_id ? [' · ', ruleLink(st, groups)] : null] :
        [h('strong', null, st.kind.toLowerCase()), ' ', h('code', null, st.chain), st.action ? ` → ${st.action}` : '']))),
    h('details', null, h('summary', null, `All ${steps.length} steps`),
      h('ol', { class: 'path' }, steps.map(st => h('li', { class: st.matched === false ? 'nomatch' : null },
        `${st.kind} ${st.chain}${st.number ? ` #${st.number}` : ''} ${st.rule_text || ''} ${st.matched === null || st.matched === undefined ? '' : st.matched ? '✓' : '✗'}`)))));
}
