// Manage Security Group Rules: the rules table and the Add Rule form (Horizon's choices, lint before submitting).
import { h, table, errorBox, flash, flashNext } from '../dom.js';
import { get, post, del } from '../api.js';
import { formDialog } from '../dialog.js';
import { go, href } from '../nav.js';
import { lint, lintRule } from '../lint.js';
import { RULE_KINDS, kind, ruleBody, ethertypeOf, directionText, protocolText, portRangeText, remotePrefixText, summary } from '../rules.js';

export async function render(main, ctx) {
  const id = ctx.params[0];
  const [sgRes, allRes] = await Promise.all([
    get(`/v2.0/security-groups/${encodeURIComponent(id)}`),
    get('/v2.0/security-groups?fields=id&fields=name'),
  ]);
  if (ctx.stale()) return;
  const sg = sgRes.security_group;
  const names = new Map((allRes.security_groups || []).map(g => [g.id, g.name]));
  names.set(sg.id, sg.name);
  const rules = sortRules(sg.security_group_rules || []);
  const focusRule = ctx.query.get('rule');

  const addButton = h('button', { class: 'primary', type: 'button', id: 'add-rule', 'aria-expanded': 'false',
    'aria-controls': 'add-rule-form' }, '+ Add Rule');
  const formHolder = h('div');
  main.append(
    h('div', { class: 'crumbs' }, h('a', { href: href('/security-groups') }, 'Security Groups'), ' / ', sg.name),
    h('h1', null, `Manage Security Group Rules: ${sg.name}`, h('span', { class: 'muted mono', style: 'font-size:.6em;margin-left:.6em' }, sg.id)),
    sg.description ? h('p', { class: 'muted' }, sg.description) : null,
    h('div', { class: 'bar' }, h('div', { class: 'grow muted' }, `${rules.length} rule${rules.length === 1 ? '' : 's'}`,
      sg.stateful === false ? ' · stateless' : ''), addButton),
    formHolder,
    rulesTable(rules, names, focusRule, r => removeRule(r)));

  const open = () => {
    if (formHolder.firstChild) return;
    flash('');
    addButton.setAttribute('aria-expanded', 'true');
    formHolder.appendChild(addRuleForm(sg, names, ctx.query, close));
    formHolder.querySelector('select, input').focus();
  };
  const close = () => {
    formHolder.replaceChildren();
    addButton.setAttribute('aria-expanded', 'false');
    addButton.focus();
  };
  addButton.addEventListener('click', () => (formHolder.firstChild ? close() : open()));
  if (ctx.query.has('add')) {
    ctx.keepFocus = true;
    open();
  }
  if (focusRule) {
    const row = main.querySelector(`tr[data-rule-id="${CSS.escape(focusRule)}"]`);
    if (row) {
      ctx.keepFocus = true;
      row.scrollIntoView({ block: 'center' });
      const link = row.querySelector('button');
      if (link) link.focus();
    }
  }

  async function removeRule(r) {
    const ok = await formDialog({
      title: 'Delete Rule', submitLabel: 'Delete Rule', danger: true,
      body: h('p', null, 'Delete rule ', h('code', null, summary(r)), '?'),
      onSubmit: () => del(`/v2.0/security-group-rules/${r.id}`),
    });
    if (ok) {
      flashNext('Deleted the rule.');
      go(`/security-groups/${sg.id}`);
    }
  }
}

const SHORT = { PROTOCOL_94_IS_BEET: '94 is BEET', ALL_TRAFFIC_OPEN: 'open to all', PROTOCOL_UNASSIGNED: 'unassigned',
  PROTOCOL_RESERVED: 'reserved', PROTOCOL_UNKNOWN: 'unknown' };

function sortRules(rules) {
  const key = r => `${r.direction === 'ingress' ? 0 : 1}${r.ethertype}`;
  return [...rules].sort((a, b) => key(a).localeCompare(key(b)));
}

function rulesTable(rules, names, focusRule, onDelete) {
  const rows = rules.map(r => {
    const warnings = lintRule(r).filter(w => w.severity === 'warning');
    const remoteGroup = r.remote_group_id ?
      h('a', { href: href(`/security-groups/${r.remote_group_id}`) }, names.get(r.remote_group_id) || r.remote_group_id) :
      (r.remote_address_group_id ? `address group ${r.remote_address_group_id}` : '-');
    return {
      attrs: { 'data-rule-id': r.id, class: r.id === focusRule ? 'focus' : null, style: r.id === focusRule ? 'outline:2px solid #f0a500' : null },
      cells: [
        directionText(r.direction),
        r.ethertype,
        { class: 'protocol', cell: [protocolText(r.protocol),
          warnings.map(w => h('span', { class: 'tag warn', title: w.message, 'data-code': w.code, style: 'margin-left:.4em' },
            `⚠ ${SHORT[w.code] || w.code}`))] },
        portRangeText(r),
        { cell: remotePrefixText(r), class: 'mono' },
        remoteGroup,
        r.description || '',
        { class: 'actions', cell: h('button', { type: 'button', class: 'small danger', onclick: () => onDelete(r),
          'aria-label': `Delete rule ${summary(r)}` }, 'Delete Rule') },
      ],
    };
  });
  return table(['Direction', 'Ether Type', 'IP Protocol', 'Port Range', 'Remote IP Prefix', 'Remote Security Group',
    'Description', 'Actions'], rows, { label: 'Security group rules', class: 'rules', empty: 'This group has no rules: it lets nothing in or out.' });
}

function field(id, labelText, input, hint) {
  return h('div', { class: 'field', 'data-field': id }, h('label', { for: id }, labelText), input,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

function select(id, options, value) {
  const s = h('select', { id, name: id });
  for (const [v, t] of options) s.appendChild(h('option', { value: v, selected: v === value }, t));
  return s;
}

/** The Add Rule form. Query parameters prefill it, so a link can carry a prepared rule (e.g. ?add&kind=other&protocol=4). */
function addRuleForm(sg, names, query, onClose) {
  const q = k => query.get(k) || '';
  const kindSel = select('rule-kind', RULE_KINDS.map(k => [k.id, k.name]), q('kind') || 'custom_tcp');
  const dirSel = select('direction', [['ingress', 'Ingress'], ['egress', 'Egress']], q('direction') || 'ingress');
  const description = h('input', { id: 'description', name: 'description', maxlength: 255, value: q('description') });
  const portMode = select('port-mode', [['port', 'Port'], ['range', 'Port Range'], ['all', 'All ports']], q('portMode') || 'port');
  const port = h('input', { id: 'port', inputmode: 'numeric', value: q('port'), 'aria-describedby': 'port-hint' });
  const fromPort = h('input', { id: 'from-port', inputmode: 'numeric', value: q('from') });
  const toPort = h('input', { id: 'to-port', inputmode: 'numeric', value: q('to') });
  const icmpType = h('input', { id: 'icmp-type', inputmode: 'numeric', value: q('type') });
  const icmpCode = h('input', { id: 'icmp-code', inputmode: 'numeric', value: q('code') });
  const ipProtocol = h('input', { id: 'ip-protocol', inputmode: 'numeric', value: q('protocol'), 'aria-describedby': 'ip-protocol-hint' });
  const remoteSel = select('remote', [['cidr', 'CIDR'], ['sg', 'Security Group']], q('remote') || 'cidr');
  const cidr = h('input', { id: 'cidr', value: query.has('cidr') ? q('cidr') : '0.0.0.0/0', spellcheck: 'false', 'aria-describedby': 'cidr-hint' });
  const groupSel = select('remote-group', [...names.entries()].map(([gid, n]) => [gid, `${n} (${gid.slice(0, 8)})`]), q('group') || sg.id);
  const etherSel = select('ethertype', [['IPv4', 'IPv4'], ['IPv6', 'IPv6']], q('ethertype') || 'IPv4');
  const cidrEther = h('output', { id: 'cidr-ethertype', for: 'cidr' });
  const warnings = h('ul', { class: 'warnings', id: 'rule-warnings', 'aria-live': 'polite', 'aria-label': 'Warnings about this rule' });
  const errors = h('div', { id: 'rule-errors', 'aria-live': 'assertive' });
  const preview = h('pre', { class: 'mono', id: 'rule-preview', style: 'white-space:pre-wrap;margin:.4em 0 0' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'submit-rule' }, 'Add');
  const cancel = h('button', { type: 'button', onclick: onClose }, 'Cancel');

  const fields = {
    portMode: field('port-mode', 'Open Port', portMode),
    port: field('port', 'Port', port, 'A port number 1-65535.'),
    fromPort: field('from-port', 'From Port', fromPort),
    toPort: field('to-port', 'To Port', toPort),
    icmpType: field('icmp-type', 'Type', icmpType, 'ICMP type 0-255; empty for any.'),
    icmpCode: field('icmp-code', 'Code', icmpCode, 'ICMP code 0-255; empty for any.'),
    ipProtocol: field('ip-protocol', 'IP Protocol', ipProtocol,
      'IP protocol number 0-255 (4 IP-in-IP, 41 IPv6-in-IPv4, 47 GRE, 50 ESP, 51 AH, 112 VRRP).'),
    cidr: field('cidr', 'CIDR', cidr, ['Ether Type ', cidrEther, ' (follows the CIDR)']),
    group: field('remote-group', 'Security Group', groupSel),
    ether: field('ethertype', 'Ether Type', etherSel),
  };

  const form = h('form', { class: 'card', id: 'add-rule-form', 'aria-label': 'Add Rule', novalidate: true },
    h('h2', { style: 'margin-top:0' }, 'Add Rule'),
    h('div', { class: 'form-grid' },
      field('rule-kind', 'Rule', kindSel),
      field('direction', 'Direction', dirSel),
      field('description', 'Description', description),
      fields.portMode, fields.port, fields.fromPort, fields.toPort, fields.icmpType, fields.icmpCode, fields.ipProtocol,
      field('remote', 'Remote', remoteSel), fields.cidr, fields.group, fields.ether),
    warnings, errors,
    h('details', null, h('summary', null, 'API request'), preview),
    h('div', { class: 'form-actions' }, submit, cancel));

  const values = () => ({
    kind: kindSel.value, direction: dirSel.value, description: description.value, portMode: portMode.value,
    port: port.value, fromPort: fromPort.value, toPort: toPort.value, icmpType: icmpType.value, icmpCode: icmpCode.value,
    ipProtocol: ipProtocol.value, remote: remoteSel.value, cidr: cidr.value, remoteGroup: groupSel.value, ethertype: etherSel.value,
  });

  let lintSeq = 0;
  const refresh = async () => {
    const k = kind(kindSel.value);
    const custom = k.ports === 'custom';
    fields.portMode.hidden = !custom;
    fields.port.hidden = !custom || portMode.value !== 'port';
    fields.fromPort.hidden = fields.toPort.hidden = !custom || portMode.value !== 'range';
    fields.icmpType.hidden = fields.icmpCode.hidden = !k.icmp;
    fields.ipProtocol.hidden = !k.other;
    const bySg = remoteSel.value === 'sg';
    fields.cidr.hidden = bySg;
    fields.group.hidden = fields.ether.hidden = !bySg;
    cidrEther.value = ethertypeOf(cidr.value) || '-';
    const body = ruleBody(values(), sg.id);
    preview.textContent = `POST /v2.0/security-group-rules\n${JSON.stringify({ security_group_rule: body }, null, 1)}`;
    const seq = ++lintSeq;
    // ask after typing pauses, not on every key
    await new Promise(resolve => setTimeout(resolve, 120));
    if (seq !== lintSeq) return;
    const found = await lint(body);
    if (seq !== lintSeq) return;
    warnings.replaceChildren(...found.map(w => h('li', { class: w.severity, 'data-code': w.code },
      h('strong', null, w.severity === 'warning' ? 'Warning: ' : w.severity === 'error' ? 'Refused: ' : 'Note: '), w.message,
      h('span', { class: 'code' }, w.code))));
  };
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  refresh();

  form.addEventListener('submit', async e => {
    e.preventDefault();
    errors.replaceChildren();
    const k = kind(kindSel.value);
    if (k.other && ipProtocol.value.trim() === '') {
      errors.appendChild(errorBox({ message: 'Enter an IP protocol number (0-255).' }));
      ipProtocol.focus();
      return;
    }
    submit.disabled = true;
    try {
      const res = await post('/v2.0/security-group-rules', { security_group_rule: ruleBody(values(), sg.id) });
      flashNext(`Added rule: ${summary(res.security_group_rule)}.`);
      go(`/security-groups/${sg.id}`, { rule: res.security_group_rule.id });
    } catch (err) {
      errors.appendChild(errorBox(err));
      submit.disabled = false;
    }
  });
  form.addEventListener('keydown', e => { if (e.key === 'Escape') { e.preventDefault(); onClose(); } });
  return form;
}
