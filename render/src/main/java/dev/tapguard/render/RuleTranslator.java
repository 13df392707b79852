package dev.tapguard.render;

import dev.tapguard.model.Protocols;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One firewall rule to iptables arguments, as Neutron's {@code _convert_sg_rule_to_iptables_args} builds them:
 * {@code [-s P] [-d P] [-p proto [-m mod]] [sport args] [dport args] [-m set --match-set N src|dst] -j RETURN}.
 * The only change is the protocol word (section 11.1), see {@link Protocols#kernelName}.
 */
final class RuleTranslator {
    private RuleTranslator() {
    }

    /** neutron-lib IPTABLES_PROTOCOL_MAP: names that get {@code -m <module>} when ports are given. */
    private static final java.util.Map<String, String> MODULES = java.util.Map.of(
            "dccp", "dccp", "icmp", "icmp", "ipv6-icmp", "icmp6", "sctp", "sctp", "tcp", "tcp", "udp", "udp");
    private static final Set<String> PORT_PROTOCOLS = Set.of("dccp", "sctp", "tcp", "udp", "udplite");

    /** The translated rule, or null where Neutron would write nothing. {@code ipsetName} set = ipset mode. */
    static Rule translate(FirewallRule r, String ipsetName) {
        List<Match> m = new ArrayList<>(6);
        if (ipsetName == null) {
            prefix(m, true, r.sourceIpPrefix());
            prefix(m, false, r.destIpPrefix());
        }
        protocolAndPorts(m, r);
        if (ipsetName != null) {
            m.add(new Match.Set(ipsetName, r.direction() == dev.tapguard.model.Direction.INGRESS ? "src" : "dst",
                    false));
        }
        return Rule.of(m, Verdict.RETURN, r.provenance());
    }

    /** True when the rule's -p word differs from the one Neutron writes (and so means another protocol). */
    static boolean protocolCorrected(String protocol) {
        String n = Protocols.neutronIptablesName(protocol);
        return n != null && !n.equals(Protocols.kernelName(protocol));
    }

    private static void prefix(List<Match> m, boolean source, String ipPrefix) {
        if (ipPrefix == null || ipPrefix.isEmpty()) {
            return;
        }
        String p = ipPrefix;
        if (!p.contains("/")) {
            p = dev.tapguard.model.Cidr.ipToCidr(p);
        } else if (p.endsWith("/0")) {
            return; // an allow for every address is no constraint
        }
        m.add(new Match.Address(source, p, false));
    }

    private static void protocolAndPorts(List<Match> m, FirewallRule r) {
        String resolved = Protocols.neutronIptablesName(r.protocol());
        if (resolved == null) {
            return;
        }
        m.add(new Match.Protocol(Protocols.kernelName(r.protocol()), false));
        boolean isPort = r.sourcePortRangeMin() != null || r.portRangeMin() != null;
        String module = isPort ? MODULES.get(resolved) : null;
        if (resolved.equals("icmp") || resolved.equals("ipv6-icmp")) {
            boolean v6 = resolved.equals("ipv6-icmp");
            if (module == null) {
                return;
            }
            // the icmp path reads the type from whichever range is set (the RA provider rule uses the source one)
            Integer type = r.sourcePortRangeMin() != null ? r.sourcePortRangeMin() : r.portRangeMin();
            Integer code = r.sourcePortRangeMin() != null ? r.sourcePortRangeMax() : r.portRangeMax();
            m.add(new Match.Icmp(v6, type, code));
            return;
        }
        if (!PORT_PROTOCOLS.contains(resolved)) {
            if (module != null) {
                m.add(new Match.Unknown("-m " + module));
            }
            return;
        }
        boolean multiportOnly = resolved.equals("udplite");
        String sportSingle = single(r.sourcePortRangeMin(), r.sourcePortRangeMax(), multiportOnly);
        String dportSingle = single(r.portRangeMin(), r.portRangeMax(), multiportOnly);
        String sportMulti = multi(r.sourcePortRangeMin(), r.sourcePortRangeMax(), multiportOnly);
        String dportMulti = multi(r.portRangeMin(), r.portRangeMax(), multiportOnly);
        if (module != null) {
            if (sportMulti != null && dportSingle != null) {
                // Neutron's word order here has no structured form; keep its text
                m.add(new Match.Unknown("-m " + module + " -m multiport --sports " + sportMulti + " --dport "
                        + dportSingle));
                return;
            }
            m.add(new Match.Ports(module, sportSingle, dportSingle));
        }
        if (sportMulti != null || dportMulti != null) {
            if (sportMulti != null && dportMulti != null) {
                m.add(new Match.Unknown("-m multiport --sports " + sportMulti + " -m multiport --dports "
                        + dportMulti));
            } else {
                m.add(new Match.Multiport(sportMulti, dportMulti));
            }
        }
    }

    private static String single(Integer min, Integer max, boolean multiportOnly) {
        if (min == null || multiportOnly || !min.equals(max == null ? min : max)) {
            return null;
        }
        return String.valueOf(min);
    }

    private static String multi(Integer min, Integer max, boolean multiportOnly) {
        if (min == null) {
            return null;
        }
        int hi = max == null ? min : max;
        if (min == hi) {
            return multiportOnly ? String.valueOf(min) : null;
        }
        return min + ":" + hi;
    }
}
