package dev.tapguard.model;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Neutron's canonicalisation and validation of a new rule, in the order its API runs them: the attribute
 * converters ({@code neutron/extensions/securitygroup.py}), then
 * {@code SecurityGroupDbMixin._validate_security_group_rule} without the database lookups (the store checks that
 * the group and remote group exist). Every failure is a {@link NeutronException} with Neutron's type and message.
 */
public final class SecurityGroupRuleValidator {
    private SecurityGroupRuleValidator() {
    }

    private static final String SUPPORTED_PROTOCOLS = "[None, " + Protocols.NEUTRON_NAMES.keySet().stream()
            .map(n -> "'" + n + "'").collect(Collectors.joining(", ")) + "]";

    /** Converts and validates; returns the rule as Neutron would store it. */
    public static SecurityGroupRule canonicalize(RuleRequest r) {
        Direction direction = direction(r.direction());
        String protocol = convertProtocol(r.protocol());
        Integer min = convertPort(r.portRangeMin());
        Integer max = convertPort(r.portRangeMax());
        Ethertype ethertype = r.ethertypeGiven() ? convertEthertype(r.ethertype()) : Ethertype.IPv4;
        String prefix = convertIpPrefix(r.remoteIpPrefix());

        // _make_canonical_ipv6_icmp_protocol
        if (ethertype == Ethertype.IPv6) {
            if ("icmp".equals(protocol) || "icmpv6".equals(protocol)) {
                protocol = "ipv6-icmp";
            } else if ("1".equals(protocol)) {
                protocol = "58";
            }
        }
        // _make_canonical_port_range: the whole range is the same as no range
        if (min != null && max != null && min == 1 && max == 65535) {
            min = null;
            max = null;
        }
        validatePortRange(protocol, min, max);
        Remote remote = Remote.ANY;
        if (prefix != null) {
            Cidr cidr = Cidr.parse(prefix);
            if (cidr.ethertype() != ethertype) {
                throw new NeutronException(NeutronErrorType.SecurityGroupRuleParameterConflict,
                        "Conflicting value ethertype " + ethertype + " for CIDR " + prefix);
            }
            remote = new Remote.IpPrefix(cidr.text(), cidr.normalized());
        }
        if (protocol != null && Protocols.IPV6_ONLY.contains(protocol) && ethertype == Ethertype.IPv4) {
            throw new NeutronException(NeutronErrorType.SecurityGroupEthertypeConflictWithProtocol,
                    "Invalid ethertype IPv4 for protocol " + protocol + ".");
        }
        String group = emptyToNull(r.remoteGroupId());
        String addressGroup = emptyToNull(r.remoteAddressGroupId());
        int remotes = (prefix != null ? 1 : 0) + (group != null ? 1 : 0) + (addressGroup != null ? 1 : 0);
        if (remotes > 1) {
            throw new NeutronException(NeutronErrorType.SecurityGroupMultipleRemoteEntites,
                    "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.");
        }
        if (group != null) {
            remote = new Remote.Group(group);
        } else if (addressGroup != null) {
            remote = new Remote.AddressGroup(addressGroup);
        }
        return new SecurityGroupRule(r.id(), r.securityGroupId(), r.projectId(), direction, ethertype, protocol, min,
                max, remote, r.description());
    }

    static Direction direction(Object value) {
        Direction d = value instanceof String s ? Direction.parseOrNull(s) : null;
        if (d == null) {
            throw new NeutronException(NeutronErrorType.HTTPBadRequest,
                    "Invalid input for direction. Reason: " + py(value) + " is not in valid_values.");
        }
        return d;
    }

    /** {@code convert_protocol}: a name (case-insensitive), "any", or an integer 0-255 kept as a string. */
    public static String convertProtocol(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s && s.equalsIgnoreCase("any")) {
            return null;
        }
        if (value instanceof Number n) {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                if (d >= 0 && d <= 255) {
                    return py(value);
                }
                throw invalidProtocol(value);
            }
            long v = n.longValue();
            if (v >= 0 && v <= 255) {
                return String.valueOf(v);
            }
            throw invalidProtocol(value);
        }
        if (value instanceof String s) {
            Integer parsed = Protocols.parseDecimal(s);
            if (parsed != null || looksNumeric(s)) {
                if (parsed != null && parsed >= 0 && parsed <= 255) {
                    return s;
                }
                throw invalidProtocol(value);
            }
            String lower = s.toLowerCase(Locale.ROOT);
            if (Protocols.NEUTRON_NAMES.containsKey(lower)) {
                return lower;
            }
        }
        throw invalidProtocol(value);
    }

    private static boolean looksNumeric(String s) {
        String t = s.strip();
        return !t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-' || c == '+');
    }

    private static NeutronException invalidProtocol(Object value) {
        return new NeutronException(NeutronErrorType.SecurityGroupRuleInvalidProtocol,
                "Security group rule protocol " + py(value) + " not supported. Only protocol values "
                        + SUPPORTED_PROTOCOLS + " and integer representations [0 to 255] are supported.");
    }

    /** {@code convert_validate_port_value}: None, or an integer 0-65535 (numbers or numeric strings). */
    public static Integer convertPort(Object port) {
        if (port == null) {
            return null;
        }
        Long v = null;
        if (port instanceof Boolean b) {
            v = b ? 1L : 0L;
        } else if (port instanceof Number n) {
            v = n.longValue();
        } else if (port instanceof String s) {
            Integer p = Protocols.parseDecimal(s);
            v = p == null ? null : p.longValue();
        }
        if (v == null || v < 0 || v > 65535) {
            throw new NeutronException(NeutronErrorType.SecurityGroupInvalidPortValue,
                    "Invalid value for port " + py(port));
        }
        return v.intValue();
    }

    static Ethertype convertEthertype(Object value) {
        Ethertype e = value instanceof String s ? Ethertype.parseOrNull(s) : null;
        if (e == null) {
            throw new NeutronException(NeutronErrorType.SecurityGroupRuleInvalidEtherType,
                    "Security group rule for ethertype '" + py(value) + "' not supported. Allowed values are "
                            + "['IPv4', 'IPv6'].");
        }
        return e;
    }

    /** {@code convert_ip_prefix_to_cidr}: adds the mask to a bare address, keeps host bits. */
    static String convertIpPrefix(Object value) {
        if (value == null || (value instanceof String s && s.isEmpty())) {
            return null;
        }
        if (value instanceof String s) {
            try {
                return Cidr.parse(s).text();
            } catch (IllegalArgumentException e) {
                // fall through to Neutron's error
            }
        }
        throw new NeutronException(NeutronErrorType.InvalidCIDR, "Invalid CIDR " + py(value) + " given as IP prefix.");
    }

    /** {@code _validate_port_range}. */
    static void validatePortRange(String protocol, Integer min, Integer max) {
        if (min == null && max == null) {
            return;
        }
        if (protocol == null || protocol.isEmpty()) {
            throw new NeutronException(NeutronErrorType.SecurityGroupProtocolRequiredWithPorts,
                    "Must also specify protocol if port range is given.");
        }
        OptionalInt num = Protocols.number(protocol);
        int proto = num.orElse(-1);
        if (proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136) {
            if ((min != null && min == 0) || (max != null && max == 0)) {
                throw new NeutronException(NeutronErrorType.SecurityGroupInvalidPortValue, "Invalid value for port 0");
            }
            if (min == null || max == null || min > max) {
                throw new NeutronException(NeutronErrorType.SecurityGroupInvalidPortRange,
                        "For TCP/UDP protocols, port_range_min must be <= port_range_max");
            }
        } else if (proto == 1 || proto == 58) {
            if (min != null && min > 255) {
                throw icmp("type", "port_range_min", min);
            }
            if (max != null && max > 255) {
                throw icmp("code", "port_range_max", max);
            }
            if (min == null) {
                throw new NeutronException(NeutronErrorType.SecurityGroupMissingIcmpType,
                        "ICMP code (port-range-max) " + max + " is provided but ICMP type (port-range-min) is missing.");
            }
        } else {
            throw new NeutronException(NeutronErrorType.SecurityGroupInvalidProtocolForPort,
                    "Ports cannot be specified for protocol " + (num.isPresent() ? String.valueOf(proto) : protocol)
                            + ". Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.");
        }
    }

    private static NeutronException icmp(String field, String attr, int value) {
        return new NeutronException(NeutronErrorType.SecurityGroupInvalidIcmpValue,
                "Invalid value for ICMP " + field + " (" + attr + ") " + value + ". It must be 0 to 255.");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Python's str() of a JSON value, as Neutron's messages print it. */
    static String py(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof List<?> l) {
            return l.stream().map(x -> x instanceof String s ? "'" + s + "'" : py(x))
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(v);
    }
}
