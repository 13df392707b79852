package dev.tapguard.model.lint;

import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Protocols;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.lint.LintFinding.Severity;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Warnings about security groups that are valid for the API but probably not what was meant: protocol 94 (BEET on
 * Linux, where IP-in-IP is 4), duplicate and shadowed rules, sensitive ports or everything open to every address,
 * egress removed, and similar. Pure: the server logs the same findings when a rule is created, the CLI prints them,
 * the web console shows them.
 */
public final class SecurityGroupLinter {
    private SecurityGroupLinter() {
    }

    /** Service ports that should rarely be open to the whole internet, TCP. */
    static final Map<Integer, String> SENSITIVE_TCP = ordered(22, "SSH", 23, "Telnet", 135, "MS RPC", 139, "NetBIOS",
            445, "SMB", 1433, "MS SQL", 2375, "Docker API", 2379, "etcd", 3306, "MySQL", 3389, "RDP",
            5432, "PostgreSQL", 5900, "VNC", 5984, "CouchDB", 6379, "Redis", 9200, "Elasticsearch",
            11211, "Memcached", 27017, "MongoDB");
    /** The same for UDP (amplification and management). */
    static final Map<Integer, String> SENSITIVE_UDP = ordered(161, "SNMP", 1900, "SSDP", 11211, "Memcached");

    private static Map<Integer, String> ordered(Object... kv) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((Integer) kv[i], (String) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every finding for one group. */
    public static List<LintFinding> lint(SecurityGroup group) {
        List<LintFinding> out = new ArrayList<>();
        List<Allow> allows = new ArrayList<>();
        for (SecurityGroupRule r : group.rules()) {
            ruleFindings(group, r, out);
            allows.add(Allow.of(r));
        }
        overlap(group, allows, out);
        groupFindings(group, out);
        return out;
    }

    /** Findings for several groups (a project): each group's, plus remote groups that are not among them. */
    public static List<LintFinding> lintProject(Collection<SecurityGroup> groups) {
        List<LintFinding> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        groups.forEach(g -> ids.add(g.id()));
        for (SecurityGroup g : groups) {
            out.addAll(lint(g));
            for (SecurityGroupRule r : g.rules()) {
                if (r.remoteGroupId() != null && !ids.contains(r.remoteGroupId())) {
                    out.add(new LintFinding(LintCode.REMOTE_GROUP_UNKNOWN, Severity.INFO, g.id(), r.id(),
                            describe(r) + ": remote group " + r.remoteGroupId() + " is not among the groups linted "
                                    + "(another project's, or deleted)"));
                }
            }
        }
        return out;
    }

    /**
     * The findings about one rule of a group (the group as it is with the rule), for logging on creation: exactly
     * those of {@link #lint} that name the rule (its own findings, the rule that shadows or duplicates it, the rules
     * it shadows), in the same order. Linear in the group's size, so a create in a large group stays cheap.
     */
    public static List<LintFinding> lintRule(SecurityGroup groupWithRule, String ruleId) {
        List<SecurityGroupRule> rules = groupWithRule.rules();
        int k = -1;
        for (int i = 0; i < rules.size() && ruleId != null; i++) {
            if (ruleId.equals(rules.get(i).id())) {
                k = i;
                break;
            }
        }
        if (k < 0) {
            return List.of();
        }
        List<LintFinding> out = new ArrayList<>();
        ruleFindings(groupWithRule, rules.get(k), out);
        List<Allow> allows = new ArrayList<>(rules.size());
        rules.forEach(r -> allows.add(Allow.of(r)));
        // lint's overlap pass reports each covered rule j once, for the first i (ascending) that decides it; the
        // findings are in (i, j) order. The rule's own: the first i deciding k; those it makes: every j that k
        // decides first.
        int own = -1;
        for (int i = 0; i < allows.size() && own < 0; i++) {
            if (decides(allows, i, k)) {
                own = i;
            }
        }
        List<LintFinding> pairs = new ArrayList<>();
        for (int j = 0; j < allows.size(); j++) {
            if (j == k || !decides(allows, k, j)) {
                continue;
            }
            boolean first = true;
            for (int i = 0; i < k && first; i++) {
                first = !decides(allows, i, j);
            }
            if (first) {
                pairs.add(pairFinding(groupWithRule, allows.get(k), allows.get(j)));
            }
        }
        if (own >= 0) {
            // (own, k) sorts before every (k, j) when own < k, after them otherwise
            pairs.add(own < k ? 0 : pairs.size(), pairFinding(groupWithRule, allows.get(own), allows.get(k)));
        }
        out.addAll(pairs);
        return out;
    }

    /**
     * The ports a rule narrows to, {min, max}, when it is a TCP, UDP, SCTP, DCCP or UDP-Lite rule with a port range;
     * null otherwise. Two rules of a group interact (one shadows or duplicates the other, or both are shadowed by a
     * third) only when they have the same direction and ethertype and their ranges overlap (a rule without a range
     * overlaps every one): {@link #lintRule} over just those rules of the group finds what it finds over the whole
     * group, so a server can read only them.
     */
    public static int[] portRange(SecurityGroupRule r) {
        Allow a = Allow.of(r);
        boolean ports = a.proto == 6 || a.proto == 17 || a.proto == 132 || a.proto == 33 || a.proto == 136;
        return ports && r.portRangeMin() != null ? new int[] {a.portMin, a.portMax} : null;
    }

    // ------------------------------------------------------------------------------------------------ per rule

    private static void ruleFindings(SecurityGroup g, SecurityGroupRule r, List<LintFinding> out) {
        String p = r.protocol();
        if ("94".equals(p)) {
            out.add(new LintFinding(LintCode.PROTOCOL_94_IS_BEET, Severity.WARNING, g.id(), r.id(), describe(r)
                    + ": Linux uses 94 for BEET; IP-in-IP is 4 (IPPROTO_BEETPH and IPPROTO_IPIP). For IP-in-IP "
                    + "tunnels use --protocol 4"));
        } else if ("ipip".equals(p)) {
            out.add(new LintFinding(LintCode.IPIP_NAME, Severity.INFO, g.id(), r.id(), describe(r)
                    + ": 'ipip' is IP-in-IP, protocol 4; Tapguard writes protocol 4, but Neutron's iptables driver "
                    + "writes -p ipip, which Linux reads as 94 (BEET). Prefer --protocol 4"));
        }
        if (r.remote() instanceof Remote.IpPrefix ip && ip.remoteIpPrefix() != null) {
            try {
                Cidr c = Cidr.parse(ip.remoteIpPrefix());
                if (!c.text().equals(c.normalized())) {
                    out.add(new LintFinding(LintCode.REMOTE_PREFIX_HOST_BITS, Severity.INFO, g.id(), r.id(),
                            describe(r) + ": remote prefix " + ip.remoteIpPrefix() + " has host bits set; it means "
                                    + c.normalized()));
                }
            } catch (IllegalArgumentException e) {
                // the API validates prefixes; a stored one that does not parse is not this linter's business
            }
        }
        if (r.direction() != Direction.INGRESS || !fromAnywhere(r)) {
            return;
        }
        Allow a = Allow.of(r);
        if (a.proto == Allow.ANY) {
            out.add(new LintFinding(LintCode.ALL_TRAFFIC_OPEN, Severity.WARNING, g.id(), r.id(), describe(r)
                    + ": every protocol and port is open to every " + r.ethertype() + " address"));
            return;
        }
        Map<Integer, String> sensitive = a.proto == 6 ? SENSITIVE_TCP : a.proto == 17 ? SENSITIVE_UDP : Map.of();
        List<String> hit = new ArrayList<>();
        sensitive.forEach((port, name) -> {
            if (port >= a.portMin && port <= a.portMax) {
                hit.add(port + " (" + name + ")");
            }
        });
        if (!hit.isEmpty()) {
            String ports = hit.size() > 4 ? String.join(", ", hit.subList(0, 4)) + " and " + (hit.size() - 4)
                    + " more" : String.join(", ", hit);
            out.add(new LintFinding(LintCode.SENSITIVE_PORT_OPEN, Severity.WARNING, g.id(), r.id(), describe(r)
                    + ": " + ports + " open to every " + r.ethertype() + " address ("
                    + r.ethertype().anyCidr() + "); restrict --remote-ip to the networks that need it"));
        }
    }

    private static boolean fromAnywhere(SecurityGroupRule r) {
        if (r.remote() instanceof Remote.Any) {
            return true;
        }
        if (r.remote() instanceof Remote.IpPrefix ip) {
            try {
                return Cidr.parse(ip.remoteIpPrefix()).isAny();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ rule pairs

    private static void overlap(SecurityGroup g, List<Allow> allows, List<LintFinding> out) {
        Set<Integer> reported = new HashSet<>();
        for (int i = 0; i < allows.size(); i++) {
            for (int j = 0; j < allows.size(); j++) {
                if (reported.contains(j) || !decides(allows, i, j)) {
                    continue;
                }
                reported.add(j);
                out.add(pairFinding(g, allows.get(i), allows.get(j)));
            }
        }
    }

    /** Rule i is the one to report rule j against: i allows all of j, and when both allow the same, i came first. */
    private static boolean decides(List<Allow> allows, int i, int j) {
        if (i == j) {
            return false;
        }
        Allow a = allows.get(i);
        Allow b = allows.get(j);
        return a.covers(b) && (i < j || !b.covers(a));
    }

    private static LintFinding pairFinding(SecurityGroup g, Allow a, Allow b) {
        if (b.covers(a)) {
            return new LintFinding(LintCode.DUPLICATE_RULE, Severity.WARNING, g.id(), b.rule.id(),
                    describe(b.rule) + ": allows exactly what rule " + a.rule.id() + " (" + describe(a.rule)
                            + ") allows");
        }
        return new LintFinding(LintCode.SHADOWED_RULE, Severity.INFO, g.id(), b.rule.id(),
                describe(b.rule) + ": shadowed by rule " + a.rule.id() + " (" + describe(a.rule)
                        + "), which already allows all of it");
    }

    // ------------------------------------------------------------------------------------------------ per group

    private static void groupFindings(SecurityGroup g, List<LintFinding> out) {
        boolean v4 = false;
        boolean v6 = false;
        boolean ingress = false;
        for (SecurityGroupRule r : g.rules()) {
            if (r.direction() == Direction.EGRESS) {
                v4 |= r.ethertype() == Ethertype.IPv4;
                v6 |= r.ethertype() == Ethertype.IPv6;
            } else {
                ingress = true;
            }
        }
        if (!v4 && !v6) {
            out.add(new LintFinding(LintCode.EGRESS_REMOVED, Severity.WARNING, g.id(), null, "group "
                    + name(g) + " has no egress rule: a port with only this group can start no connection (DNS, "
                    + "the metadata service, updates); only replies to allowed ingress leave"));
        } else if (v4 != v6) {
            Ethertype missing = v4 ? Ethertype.IPv6 : Ethertype.IPv4;
            out.add(new LintFinding(LintCode.EGRESS_FAMILY_REMOVED, Severity.INFO, g.id(), null, "group " + name(g)
                    + " has no " + missing + " egress rule: " + missing + " connections from its ports are dropped "
                    + "(ICMPv6, DHCP and neighbour discovery still pass)"));
        }
        if (!g.stateful() && (ingress || v4 || v6)) {
            out.add(new LintFinding(LintCode.STATELESS_REPLIES, Severity.INFO, g.id(), null, "group " + name(g)
                    + " is stateless: replies are not allowed by themselves, every direction needs its own rule"));
        }
    }

    private static String name(SecurityGroup g) {
        return g.name() == null || g.name().isEmpty() ? g.id() : "'" + g.name() + "' (" + g.id() + ")";
    }

    /** "ingress IPv4 tcp 22 from 0.0.0.0/0", for messages. */
    public static String describe(SecurityGroupRule r) {
        StringBuilder sb = new StringBuilder().append(r.direction().wire()).append(' ').append(r.ethertype());
        sb.append(' ').append(Protocols.isAny(r.protocol()) ? "any protocol" : "protocol " + r.protocol());
        if (r.portRangeMin() != null) {
            OptionalInt n = Protocols.number(r.protocol());
            boolean icmp = n.isPresent() && (n.getAsInt() == 1 || n.getAsInt() == 58);
            if (icmp) {
                sb.append(" type ").append(r.portRangeMin());
                if (r.portRangeMax() != null) {
                    sb.append(" code ").append(r.portRangeMax());
                }
            } else {
                sb.append(" port ").append(r.portRangeMin());
                if (r.portRangeMax() != null && !r.portRangeMax().equals(r.portRangeMin())) {
                    sb.append('-').append(r.portRangeMax());
                }
            }
        }
        String peer = r.direction() == Direction.INGRESS ? " from " : " to ";
        switch (r.remote()) {
            case Remote.Any a -> sb.append(peer).append("anywhere");
            case Remote.IpPrefix p -> sb.append(peer).append(p.remoteIpPrefix());
            case Remote.Group gr -> sb.append(peer).append("members of group ").append(gr.remoteGroupId());
            case Remote.AddressGroup ag -> sb.append(peer).append("address group ").append(ag.remoteAddressGroupId());
        }
        return sb.toString();
    }

    /**
     * What a rule allows, normalized so that two rules can be compared. The remote prefix is parsed only when a
     * comparison gets that far (most pairs differ in direction, protocol or ports first), so that linting one new
     * rule against a large group stays cheap.
     */
    private static final class Allow {
        static final int ANY = -1;
        static final int OPAQUE = -2;

        final SecurityGroupRule rule;
        final Direction direction;
        final Ethertype ethertype;
        final int proto;
        final String protoText;
        final int portMin;
        final int portMax;
        final int icmpType;
        final int icmpCode;
        private boolean parsed;
        private BigInteger net;
        private int prefixLen;
        private String group;

        private Allow(SecurityGroupRule r, int proto, int portMin, int portMax, int icmpType, int icmpCode) {
            this.rule = r;
            this.direction = r.direction();
            this.ethertype = r.ethertype();
            this.proto = proto;
            this.protoText = r.protocol();
            this.portMin = portMin;
            this.portMax = portMax;
            this.icmpType = icmpType;
            this.icmpCode = icmpCode;
        }

        static Allow of(SecurityGroupRule r) {
            int proto;
            if (Protocols.isAny(r.protocol())) {
                proto = ANY;
            } else {
                OptionalInt n = Protocols.number(r.protocol());
                proto = n.isPresent() ? n.getAsInt() : OPAQUE;
                if (r.ethertype() == Ethertype.IPv6 && proto == 1) {
                    proto = 58; // the API's IPv6 "icmp"
                }
            }
            int pmin = 0;
            int pmax = 65535;
            int type = ANY;
            int code = ANY;
            boolean ports = proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
            if (ports && r.portRangeMin() != null) {
                pmin = r.portRangeMin();
                pmax = r.portRangeMax() == null ? pmin : r.portRangeMax();
            } else if ((proto == 1 || proto == 58) && r.portRangeMin() != null) {
                type = r.portRangeMin();
                code = r.portRangeMax() == null ? ANY : r.portRangeMax();
            }
            return new Allow(r, proto, pmin, pmax, type, code);
        }

        /** The remote: a network and prefix length (null: any address), or a group key. */
        private void remote() {
            if (parsed) {
                return;
            }
            parsed = true;
            if (rule.remote() instanceof Remote.IpPrefix ip) {
                try {
                    Cidr c = Cidr.parse(ip.remoteIpPrefix());
                    if (!c.isAny()) {
                        net = Cidr.parse(c.normalized()).addressValue();
                        prefixLen = c.prefixLength();
                    }
                } catch (IllegalArgumentException e) {
                    group = "prefix:" + ip.remoteIpPrefix();
                }
            } else if (rule.remote() instanceof Remote.Group gr) {
                group = "group:" + gr.remoteGroupId();
            } else if (rule.remote() instanceof Remote.AddressGroup ag) {
                group = "address-group:" + ag.remoteAddressGroupId();
            }
        }

        boolean covers(Allow b) {
            if (direction != b.direction || ethertype != b.ethertype) {
                return false;
            }
            if (proto != ANY) {
                if (proto != b.proto || proto == OPAQUE && !protoText.equals(b.protoText)) {
                    return false;
                }
                if (portMin > b.portMin || portMax < b.portMax) {
                    return false;
                }
                if (icmpType != ANY && (icmpType != b.icmpType || icmpCode != ANY && icmpCode != b.icmpCode)) {
                    return false;
                }
            }
            remote();
            b.remote();
            if (group != null) {
                return group.equals(b.group);
            }
            if (net == null) {
                return true;
            }
            if (b.group != null || b.net == null || b.prefixLen < prefixLen) {
                return false;
            }
            int bits = ethertype == Ethertype.IPv4 ? 32 : 128;
            return b.net.shiftRight(bits - prefixLen).equals(net.shiftRight(bits - prefixLen));
        }
    }
}
