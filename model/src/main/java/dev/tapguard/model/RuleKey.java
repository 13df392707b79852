package dev.tapguard.model;

/**
 * Neutron's duplicate-rule key ({@code SecurityGroupDbMixin._rule_to_key}): two rules of a group with the same key
 * are the same rule. The protocol enters as its (name, number) pair, so "4" and "ipip" collide while "94" does not;
 * an any-address prefix counts as no prefix.
 */
public record RuleKey(String text) {

    public static RuleKey of(SecurityGroupRule r) {
        return new RuleKey(String.join("_",
                r.direction().wire(),
                r.ethertype().name(),
                value(r.portRangeMax()),
                value(r.portRangeMin()),
                protocol(r.protocol(), r.ethertype()),
                value(r.remoteGroupId()),
                value(r.remoteAddressGroupId()),
                prefix(r.remoteIpPrefix()),
                value(r.securityGroupId())));
    }

    private static String value(Object v) {
        return v == null ? "+" : v.toString();
    }

    private static String prefix(String p) {
        return p == null || p.equals("0.0.0.0/0") || p.equals("::/0") ? "+" : p;
    }

    /** {@code _get_ip_proto_name_and_num}, printed as Python prints the list. */
    static String protocol(String protocol, Ethertype ethertype) {
        if (protocol == null) {
            return "+";
        }
        String p = protocol;
        if (ethertype == Ethertype.IPv6) {
            if (p.equals("icmp") || p.equals("icmpv6")) {
                p = "ipv6-icmp";
            } else if (p.equals("1")) {
                p = "58";
            }
        }
        String name;
        String num;
        Integer known = Protocols.NEUTRON_NAMES.get(p);
        if (known != null) {
            name = p;
            num = String.valueOf(known);
        } else {
            Integer asNum = Protocols.parseDecimal(p);
            String byNum = asNum != null && String.valueOf(asNum).equals(p)
                    ? Protocols.NEUTRON_NAME_BY_NUMBER.get(asNum) : null;
            name = byNum != null ? byNum : p;
            num = p;
        }
        return "['" + name + "', '" + num + "']";
    }

}
