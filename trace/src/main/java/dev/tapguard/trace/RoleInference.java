package dev.tapguard.trace;

import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Verdict;
import dev.tapguard.render.NeutronComments;
import java.util.Map;

/**
 * The role a rule plays in Neutron's hybrid layout, for rules that come from a dump (no provenance): from its
 * comment, its chain and its shape. Rules Tapguard rendered keep their own provenance.
 */
final class RoleInference {
    private RoleInference() {
    }

    private static final Map<String, Role> BY_COMMENT = Map.ofEntries(
            Map.entry(NeutronComments.UNMATCH_DROP, Role.FALLBACK),
            Map.entry(NeutronComments.UNMATCHED, Role.FALLBACK),
            Map.entry(NeutronComments.VM_INT_SG, Role.PORT_DISPATCH),
            Map.entry(NeutronComments.SG_TO_VM_SG, Role.PORT_DISPATCH),
            Map.entry(NeutronComments.INPUT_TO_SG, Role.PORT_DISPATCH),
            Map.entry(NeutronComments.PAIR_ALLOW, Role.ANTI_SPOOF),
            Map.entry(NeutronComments.PAIR_DROP, Role.ANTI_SPOOF),
            Map.entry(NeutronComments.DHCP_CLIENT, Role.EGRESS_ALLOW),
            Map.entry(NeutronComments.DHCP_SPOOF, Role.EGRESS_DROP),
            Map.entry(NeutronComments.INVALID_DROP, Role.INVALID_DROP),
            Map.entry(NeutronComments.ALLOW_ASSOC, Role.STATE_ASSOC),
            Map.entry(NeutronComments.PORT_SEC_ACCEPT, Role.PORT_SECURITY_DISABLED),
            Map.entry(NeutronComments.TRUSTED_ACCEPT, Role.TRUSTED),
            Map.entry(NeutronComments.IPV6_RA_DROP, Role.EGRESS_DROP),
            Map.entry(NeutronComments.IPV6_ICMP_ALLOW, Role.EGRESS_ALLOW));

    static Provenance provenance(String wrap, String chain, Rule rule, Map<String, String> chainPorts) {
        Provenance p = rule.provenance();
        String port = chainPorts.get(chain);
        if (p != null && p.role() != Role.FOREIGN) {
            return p.portId() == null && port != null ? p.withPort(port) : p;
        }
        return new Provenance(port, null, null, infer(wrap, chain, rule));
    }

    static Role infer(String wrap, String chain, Rule rule) {
        String comment = rule.comment();
        if (comment != null) {
            Role r = BY_COMMENT.get(comment);
            if (r != null) {
                return r;
            }
            if (comment.startsWith("Set zone for ") || comment.startsWith("Make ") && comment.endsWith(" stateless")) {
                return Role.CONNTRACK;
            }
        }
        if (wrap == null || !chain.startsWith(wrap + "-")) {
            boolean hook = rule.matches().isEmpty() && rule.verdict() instanceof Verdict.Jump j
                    && (wrap != null && j.chain().startsWith(wrap + "-") || j.chain().equals("neutron-filter-top"));
            return chain.equals("neutron-filter-top") || hook ? Role.SKELETON : Role.FOREIGN;
        }
        String stem = chain.substring(wrap.length() + 1);
        switch (stem) {
            case "sg-fallback" -> {
                return Role.FALLBACK;
            }
            case "sg-chain" -> {
                return rule.verdict() instanceof Verdict.Accept ? Role.SKELETON : Role.PORT_DISPATCH;
            }
            case "FORWARD", "INPUT", "OUTPUT", "local", "PREROUTING" -> {
                return rule.verdict() instanceof Verdict.CtZone || rule.verdict() instanceof Verdict.CtNotrack
                        ? Role.CONNTRACK : Role.PORT_DISPATCH;
            }
            default -> {
            }
        }
        char letter = stem.isEmpty() ? ' ' : stem.charAt(0);
        if (letter == 's') {
            return Role.ANTI_SPOOF;
        }
        if (letter != 'i' && letter != 'o') {
            return Role.FOREIGN;
        }
        if (rule.verdict() instanceof Verdict.Jump j && j.chain().startsWith(wrap + "-s")) {
            return Role.ANTI_SPOOF;
        }
        String text = rule.text();
        if (letter == 'i') {
            if (text.equals("-p ipv6-icmp -m icmp6 --icmpv6-type 130 -j RETURN")
                    || text.equals("-p ipv6-icmp -m icmp6 --icmpv6-type 135 -j RETURN")
                    || text.equals("-p ipv6-icmp -m icmp6 --icmpv6-type 136 -j RETURN")) {
                return Role.ICMPV6_INGRESS;
            }
            if (text.endsWith("-p udp -m udp --sport 67 --dport 68 -j RETURN")
                    || text.endsWith("-p udp -m udp --sport 547 --dport 546 -j RETURN")
                    || text.equals("-p ipv6-icmp -m icmp6 --icmpv6-type 134 -j RETURN")) {
                return Role.PROVIDER_RULE;
            }
        }
        if (rule.verdict() instanceof Verdict.Return) {
            for (Match m : rule.matches()) {
                if (m instanceof Match.State) {
                    return Role.STATE_ASSOC;
                }
            }
            return Role.SECURITY_GROUP_RULE;
        }
        return Role.FOREIGN;
    }

    /** The wrap of a Neutron-layout filter table: the prefix of its {@code -sg-chain}, else null. */
    static String wrapOf(Iterable<String> chainNames) {
        for (String c : chainNames) {
            if (c.endsWith("-sg-chain")) {
                return c.substring(0, c.length() - "-sg-chain".length());
            }
        }
        return null;
    }
}
