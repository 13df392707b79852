// Protocol names and numbers as the API and the Linux kernel see them (mirrors dev.tapguard.model.Protocols).

/** neutron-lib IP_PROTOCOL_MAP: the names the API accepts. */
export const NEUTRON_NAMES = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4, 'ipv6-encap': 41,
  'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89,
  pgm: 113, rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};

/** Protocols whose rules may carry port ranges. */
export const PORT_PROTOCOLS = [6, 17, 33, 132, 136];
/** Protocol values the API accepts only with ethertype IPv6. */
export const IPV6_ONLY = ['ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route',
  '41', '44', '58', '59', '60', '43'];

/** Short words for the numbers operators meet (what the number is on Linux). */
const LABELS = {
  0: 'any', 1: 'ICMP', 2: 'IGMP', 4: 'IP-in-IP', 6: 'TCP', 17: 'UDP', 33: 'DCCP', 41: 'IPv6-in-IPv4', 43: 'IPv6 routing',
  44: 'IPv6 fragment', 46: 'RSVP', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 59: 'IPv6 no next header',
  60: 'IPv6 dest. options', 89: 'OSPF', 94: 'BEET on Linux', 97: 'EtherIP', 103: 'PIM', 108: 'IPComp',
  112: 'VRRP', 113: 'PGM', 115: 'L2TP', 132: 'SCTP', 136: 'UDP-Lite', 137: 'MPLS-in-IP', 143: 'Ethernet',
};

/** The IP protocol number an API protocol value means, or null for "any" / unknown names. */
export function number(protocol) {
  if (protocol === null || protocol === undefined || protocol === '') return null;
  const p = String(protocol).trim().toLowerCase();
  if (p in NEUTRON_NAMES) return NEUTRON_NAMES[p];
  if (/^[+-]?\d+$/.test(p)) return parseInt(p, 10);
  return null;
}

export function isAny(protocol) {
  return protocol === null || protocol === undefined || protocol === '' || String(protocol) === '0' ||
    String(protocol).toLowerCase() === 'any';
}

export function label(n) {
  return LABELS[n] || null;
}

export function isIcmp(protocol) {
  const n = number(protocol);
  return n === 1 || n === 58;
}

export function hasPorts(protocol) {
  return PORT_PROTOCOLS.includes(number(protocol));
}
