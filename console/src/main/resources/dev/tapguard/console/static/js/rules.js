// Security-group rules as the console shows and builds them (Horizon's "Add Rule" choices).
import { label, isIcmp, NEUTRON_NAMES } from './protocols.js';

/** The Rule menu: custom rules first, then templates (protocol and fixed ports). */
export const RULE_KINDS = [
  { id: 'custom_tcp', name: 'Custom TCP Rule', protocol: 'tcp', ports: 'custom' },
  { id: 'custom_udp', name: 'Custom UDP Rule', protocol: 'udp', ports: 'custom' },
  { id: 'custom_icmp', name: 'Custom ICMP Rule', protocol: 'icmp', icmp: true },
  { id: 'other', name: 'Other Protocol', protocol: null, other: true },
  { id: 'all_icmp', name: 'All ICMP', protocol: 'icmp' },
  { id: 'all_tcp', name: 'All TCP', protocol: 'tcp' },
  { id: 'all_udp', name: 'All UDP', protocol: 'udp' },
  { id: 'dns', name: 'DNS', protocol: 'udp', port: 53 },
  { id: 'http', name: 'HTTP', protocol: 'tcp', port: 80 },
  { id: 'https', name: 'HTTPS', protocol: 'tcp', port: 443 },
  { id: 'ssh', name: 'SSH', protocol: 'tcp', port: 22 },
];

export function kind(id) {
  return RULE_KINDS.find(k => k.id === id) || RULE_KINDS[0];
}

/** The ethertype a CIDR implies; null when the field is empty. */
export function ethertypeOf(cidr) {
  const c = (cidr || '').trim();
  if (!c) return null;
  return c.includes(':') ? 'IPv6' : 'IPv4';
}

function intOrNull(v) {
  const t = String(v ?? '').trim();
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? parseInt(t, 10) : t; // a non-number goes to the API as typed, which names the error
}

/**
 * Form values -> the API body of a new rule. f: {kind, direction, description, portMode ('port'|'range'|'all'),
 * port, fromPort, toPort, icmpType, icmpCode, ipProtocol, remote ('cidr'|'sg'), cidr, remoteGroup, ethertype}.
 */
export function ruleBody(f, securityGroupId) {
  const k = kind(f.kind);
  const body = { security_group_id: securityGroupId, direction: f.direction || 'ingress' };
  if (k.other) {
    const p = String(f.ipProtocol ?? '').trim();
    body.protocol = p === '' ? null : p;
  } else {
    body.protocol = k.protocol;
  }
  if (k.ports === 'custom') {
    if (f.portMode === 'port') {
      body.port_range_min = intOrNull(f.port);
      body.port_range_max = intOrNull(f.port);
    } else if (f.portMode === 'range') {
      body.port_range_min = intOrNull(f.fromPort);
      body.port_range_max = intOrNull(f.toPort);
    }
  } else if (k.port) {
    body.port_range_min = k.port;
    body.port_range_max = k.port;
  } else if (k.icmp) {
    const t = intOrNull(f.icmpType);
    const c = intOrNull(f.icmpCode);
    if (t !== null) body.port_range_min = t;
    if (c !== null) body.port_range_max = c;
  }
  if (f.remote === 'sg') {
    body.remote_group_id = f.remoteGroup || null;
    body.ethertype = f.ethertype || 'IPv4';
  } else {
    const cidr = (f.cidr || '').trim();
    if (cidr) body.remote_ip_prefix = cidr;
    body.ethertype = ethertypeOf(cidr) || f.ethertype || 'IPv4';
  }
  const d = (f.description || '').trim();
  if (d) body.description = d;
  return body;
}

// ---- display

export function directionText(d) {
  return d === 'ingress' ? 'Ingress' : d === 'egress' ? 'Egress' : d;
}

/** IP Protocol column: "Any", a name in capitals, or the number with what Linux calls it. */
export function protocolText(p) {
  if (p === null || p === undefined || p === '') return 'Any';
  const s = String(p);
  if (/^\d+$/.test(s)) {
    const l = label(parseInt(s, 10));
    return l ? `${s} (${l})` : s;
  }
  const n = NEUTRON_NAMES[s.toLowerCase()];
  // the names operators know by heart stay bare; the others say which number they are
  return n === undefined || ['tcp', 'udp', 'icmp'].includes(s.toLowerCase()) ? s.toUpperCase() : `${s.toUpperCase()} (${n})`;
}

/** Port Range column: ports for TCP/UDP-like protocols, type/code for ICMP, else "Any". */
export function portRangeText(r) {
  const min = r.port_range_min, max = r.port_range_max;
  if (isIcmp(r.protocol)) {
    if (min === null || min === undefined) return 'Any';
    return max === null || max === undefined ? `type ${min}` : `type ${min}, code ${max}`;
  }
  if (min === null || min === undefined) return 'Any';
  return min === max ? String(min) : `${min} - ${max}`;
}

export function remotePrefixText(r) {
  if (r.remote_ip_prefix) return r.remote_ip_prefix;
  if (r.remote_group_id || r.remote_address_group_id) return '-';
  return r.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
}

/** One line describing a rule, for links and titles. */
export function summary(r) {
  const remote = r.remote_group_id ? `group ${r.remote_group_id.slice(0, 8)}` : remotePrefixText(r);
  return `${directionText(r.direction)} ${r.ethertype} ${protocolText(r.protocol)} ${portRangeText(r)} ${remote}`;
}
