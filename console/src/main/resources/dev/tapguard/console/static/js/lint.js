// Warnings about a security-group rule, shown before it is submitted. A tapguard server answers
// POST /v2.0/tapguard/lint with its lint (dev.tapguard.model.lint, which also sees the group's other rules:
// duplicates, shadowing) and with the API's own error for a rule it would refuse; any other server gets these
// browser-side checks, with the same codes.
import { number, isAny, NEUTRON_NAMES } from './protocols.js';
import { post, ApiError } from './api.js';

const WORLD = ['0.0.0.0/0', '::/0'];

/**
 * rule: the API body of a rule (direction, ethertype, protocol, port_range_min/max, remote_ip_prefix,
 * remote_group_id). Returns [{code, severity: 'warning'|'info', message}].
 */
export function lintRule(rule) {
  const out = [];
  const proto = rule.protocol === undefined || rule.protocol === null ? null : String(rule.protocol).trim().toLowerCase();
  const n = number(proto);
  if (n === 94) {
    out.push({ code: 'PROTOCOL_94_IS_BEET', severity: 'warning',
      message: 'Linux uses 94 for BEET; IP-in-IP is 4. IANA calls 94 "IPIP" (KA9Q), but an IP-in-IP tunnel ' +
        '(ipip module, IPPROTO_IPIP) sends protocol 4: this rule will not let it through.' });
  }
  if (proto === 'ipip') {
    out.push({ code: 'IPIP_NAME', severity: 'info',
      message: "Neutron stores 'ipip' as protocol 4, but its iptables driver writes '-p ipip', which Linux reads " +
        "as 94 (BEET). Tapguard writes '-p ipencap' (4). Prefer the number 4 so every driver agrees." });
  }
  if (n !== null && n >= 146 && n <= 252) {
    out.push({ code: 'PROTOCOL_UNASSIGNED', severity: 'warning',
      message: `IP protocol ${n} is unassigned by IANA: no standard traffic uses it.` });
  }
  if (n === 255) {
    out.push({ code: 'PROTOCOL_RESERVED', severity: 'warning', message: 'IP protocol 255 is reserved by IANA.' });
  }
  if (proto !== null && proto !== 'any' && n === null && !(proto in NEUTRON_NAMES)) {
    out.push({ code: 'PROTOCOL_UNKNOWN', severity: 'warning',
      message: `'${rule.protocol}' is neither a protocol name the API knows nor a number 0-255.` });
  }
  if (proto === '0' || proto === 'ip' || proto === 'hopopt') {
    out.push({ code: 'PROTOCOL_ZERO_IS_ANY', severity: 'info',
      message: `Protocol ${proto} matches every protocol (the firewall writes no -p), not only protocol 0.` });
  }
  const prefix = rule.remote_ip_prefix || null;
  const fromAnywhere = !rule.remote_group_id && !rule.remote_address_group_id && (prefix === null || WORLD.includes(prefix));
  if (rule.direction === 'ingress' && fromAnywhere && isAny(proto)) {
    out.push({ code: 'ALL_TRAFFIC_OPEN', severity: 'warning',
      message: 'This opens every protocol and port of the ports in this group to any address.' });
  }
  const min = rule.port_range_min, max = rule.port_range_max;
  if (rule.direction === 'ingress' && fromAnywhere && n === 6 && (min === 22 || min === 3389) && (max === min || max == null)) {
    out.push({ code: 'SENSITIVE_PORT_OPEN', severity: 'info', message: `TCP port ${min} is open to any address.` });
  }
  if ((n === 6 || n === 17 || n === 33 || n === 132 || n === 136) && min === 1 && max === 65535) {
    out.push({ code: 'FULL_PORT_RANGE', severity: 'info', message: 'Ports 1-65535 are stored as no range (all ports).' });
  }
  if (rule.ethertype === 'IPv6' && (proto === 'icmp' || proto === 'icmpv6' || proto === '1')) {
    out.push({ code: 'ICMP_ON_IPV6', severity: 'info',
      message: `With IPv6, '${rule.protocol}' is stored as ${proto === '1' ? "'58'" : "'ipv6-icmp'"} (ICMPv6).` });
  }
  if (prefix && /\//.test(prefix) && hostBitsSet(prefix)) {
    out.push({ code: 'REMOTE_PREFIX_HOST_BITS', severity: 'info',
      message: `${prefix} has host bits set; the firewall matches the whole network it names.` });
  }
  return out;
}

function hostBitsSet(prefix) {
  const [addr, lenText] = prefix.split('/');
  const len = parseInt(lenText, 10);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(addr) || !(len >= 0 && len <= 32)) return false;
  const v = addr.split('.').reduce((a, o) => (a * 256) + (parseInt(o, 10) & 255), 0);
  const hostBits = 32 - len;
  return hostBits > 0 && v % 2 ** hostBits !== 0;
}

let serverLint = undefined; // undefined: not asked yet; false: the server has none

/** Server lint when the server has it (its answer wins), else the browser's. */
export async function lint(rule) {
  if (serverLint !== false) {
    try {
      const res = await post('/v2.0/tapguard/lint', { security_group_rule: rule });
      serverLint = true;
      const found = (res && res.warnings) || [];
      if (res && res.invalid) {
        found.unshift({ code: res.invalid.type, severity: 'error', message: `The API will refuse this rule: ${res.invalid.message}` });
      }
      return found;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) serverLint = false;
      else if (serverLint === true) return lintRule(rule);
      else serverLint = false;
    }
  }
  return lintRule(rule);
}
