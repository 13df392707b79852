package dev.tapguard.trace;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.lint.SecurityGroupLinter;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.IcmpTypes;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.RuleParser;
import dev.tapguard.netfilter.RulesetEvaluator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Why a packet was denied, in words: which rules came closest and what each lacked, and the command that would
 * allow it ("no rule allows IP protocol 4 (ipip) ingress; add: openstack security group rule create ...").
 */
final class Explainer {
    private Explainer() {
    }

    private static final int CLOSEST = 3;

    static Trace.Explanation explain(Tracer t, Tracer.Resolved r, Evaluation ev, Trace.Hop hop) {
        List<String> notes = new ArrayList<>();
        if (r.toHost()) {
            toHostNote(t, r, ev, notes);
        }
        if (ev.allowed()) {
            return notes.isEmpty() ? null : new Trace.Explanation(null, List.of(), null, notes);
        }
        Evaluation.Decision k = ev.decidedBy();
        Role role = k == null || k.rule() == null ? null : t.provenance(k.chain(), k.rule()).role();
        Packet p = r.packet();
        if (role == Role.ANTI_SPOOF) {
            String summary = "the source " + p.src() + (p.srcMac() == null ? "" : " with MAC " + p.srcMac())
                    + " is not an allowed (IP, MAC) pair of the port" + allowedPairs(t, k);
            String fix = r.port() == null && r.probe().portId() == null ? null
                    : "openstack port set --allowed-address ip-address=" + p.src()
                    + (p.srcMac() == null ? "" : ",mac-address=" + p.srcMac()) + " " + portId(r)
                    + "   (only if the VM really owns this address)";
            return new Trace.Explanation(summary, List.of(), fix, notes);
        }
        if (role == Role.EGRESS_DROP) {
            return new Trace.Explanation("a VM may not act as a DHCP server or send IPv6 router advertisements; "
                    + "no security-group rule can allow this (Neutron's anti-spoofing)", List.of(), null, notes);
        }
        if (role == Role.FOREIGN) {
            return new Trace.Explanation("dropped by " + k.table() + " " + k.chain() + " rule " + k.ruleNumber()
                    + ", a rule that is not part of the security-group layout: " + k.rule().text(), List.of(), null,
                    notes);
        }
        List<Trace.ClosestRule> closest = closest(t, r, ev);
        String what = what(p);
        String dirWord = r.direction() == Direction.INGRESS ? "ingress" : "egress";
        String peer = r.direction() == Direction.INGRESS ? " from " + p.src() : " to " + p.dst();
        String summary = "no rule allows " + what + " " + dirWord + peer
                + (r.direction() == null ? "" : (r.direction() == Direction.INGRESS ? " into" : " out of")
                + " port " + (portId(r) == null ? "?" : portId(r)));
        if (role == Role.INVALID_DROP) {
            summary = "the packet is INVALID (conntrack has no connection it belongs to) and " + summary
                    + "; a rule that allowed it would let it through even INVALID";
            if (p.protocol() == 6) {
                notes.add("for TCP, check the connection first: a reply whose request never passed here, or a "
                        + "lone RST/FIN, is INVALID (conntrack -L" + (ev.zone() == null ? "" : " -w " + ev.zone())
                        + ")");
            }
        }
        ipipNotes(p, closest, notes);
        if (ev.state() == CtState.UNTRACKED) {
            notes.add("the packet is UNTRACKED" + (p.protocol() == 58 ? " (ICMPv6 neighbour discovery, MLD and "
                    + "router messages never are tracked)" : " (NOTRACK: a stateless group)")
                    + ": RELATED,ESTABLISHED does not let its replies back; they need their own rule");
        }
        String fix = r.direction() == null ? null : "openstack security group rule create " + fixArgs(r, p) + " "
                + group(t, r, closest);
        return new Trace.Explanation(summary, closest, fix, notes);
    }

    private static String portId(Tracer.Resolved r) {
        return r.port() != null ? r.port().id() : r.probe().portId();
    }

    private static void toHostNote(Tracer t, Tracer.Resolved r, Evaluation ev, List<String> notes) {
        for (Evaluation.Tried tried : ev.rulesTried()) {
            if (!Boolean.TRUE.equals(tried.matched()) && tried.chain().endsWith("-INPUT")
                    && tried.rule().text().contains("--physdev-in " + r.packet().physdevIn())
                    && tried.rule().text().contains("--physdev-is-bridged")) {
                notes.add("Neutron's INPUT rule for this port (" + tried.chain() + " rule " + tried.number()
                        + ") says --physdev-is-bridged, which never matches a packet delivered to the host: the "
                        + "port's egress rules do not filter traffic from the VM to the host");
                return;
            }
        }
    }

    /** The packet in words: "TCP to port 22", "ICMP type 8 (echo-request)", "IP protocol 4 (ipip)". */
    static String what(Packet p) {
        int n = p.protocol();
        String upper = switch (n) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            case 33 -> "DCCP";
            case 136 -> "UDP-Lite";
            default -> null;
        };
        if (upper != null) {
            return upper + (p.dport() == null ? "" : " to port " + p.dport());
        }
        if (n == 1 || n == 58) {
            String name = p.icmpType() == null ? "" : " type " + IcmpTypes.describe(n == 58, p.icmpType(), null);
            return (n == 1 ? "ICMP" : "ICMPv6") + name;
        }
        return "IP protocol " + Tracer.protocolWords(n);
    }

    private static String fixArgs(Tracer.Resolved r, Packet p) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.direction() == Direction.INGRESS ? "--ingress" : "--egress");
        boolean v6 = p.ethertype() == Ethertype.IPv6;
        sb.append(" --ethertype ").append(v6 ? "IPv6" : "IPv4");
        int n = p.protocol();
        String proto = switch (n) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 136 -> "udplite";
            case 1 -> "icmp";
            case 58 -> "ipv6-icmp";
            default -> String.valueOf(n); // a number: never a name that Neutron and Linux read differently
        };
        sb.append(" --protocol ").append(proto);
        if (Tracer.portProtocol(n).isPresent() && p.dport() != null) {
            sb.append(" --dst-port ").append(p.dport());
        }
        if ((n == 1 || n == 58) && p.icmpType() != null) {
            sb.append(" --icmp-type ").append(p.icmpType());
            if (p.icmpCode() != null) {
                sb.append(" --icmp-code ").append(p.icmpCode());
            }
        }
        String peer = r.direction() == Direction.INGRESS ? p.src() : p.dst();
        sb.append(" --remote-ip ").append(peer).append(v6 ? "/128" : "/32");
        return sb.toString();
    }

    private static String group(Tracer t, Tracer.Resolved r, List<Trace.ClosestRule> closest) {
        Port port = r.port();
        if (port != null && !port.securityGroups().isEmpty()) {
            return port.securityGroups().get(0);
        }
        for (Trace.ClosestRule c : closest) {
            if (c.provenance() != null && c.provenance().securityGroupId() != null) {
                return c.provenance().securityGroupId();
            }
        }
        return "<SECURITY_GROUP>";
    }

    private static void ipipNotes(Packet p, List<Trace.ClosestRule> closest, List<String> notes) {
        for (Trace.ClosestRule c : closest) {
            boolean onlyProtocol = c.mismatches().size() == 1 && c.mismatches().get(0).startsWith("protocol ");
            if (!onlyProtocol) {
                continue;
            }
            if (p.protocol() == 4 && c.mismatches().get(0).startsWith("protocol 94")) {
                notes.add("rule " + c.number() + " of " + c.chain() + " allows protocol 94, not 4: Linux uses 94 "
                        + "for BEET; IP-in-IP is 4" + (c.ruleText().contains("-p ipip")
                        ? " (-p ipip is 94 in /etc/protocols: Neutron writes it for the API's protocol 'ipip')" : ""));
            } else if (p.protocol() == 94 && c.mismatches().get(0).startsWith("protocol 4 (")) {
                notes.add("the packet is protocol 94 (BEET); rule " + c.number() + " of " + c.chain()
                        + " allows IP-in-IP, which is 4");
            }
        }
    }

    private static String allowedPairs(Tracer t, Evaluation.Decision k) {
        Chain c = t.chain(k.family(), k.table(), k.chain());
        if (c == null) {
            return "";
        }
        Set<String> pairs = new LinkedHashSet<>();
        for (Rule r : c.rules()) {
            String ip = null;
            String mac = null;
            for (Match m : r.matches()) {
                if (m instanceof Match.Address a && a.source()) {
                    ip = a.cidr();
                } else if (m instanceof Match.Mac mm) {
                    mac = mm.macSource();
                }
            }
            if (mac != null) {
                pairs.add((ip == null ? "any address" : ip) + " with " + mac.toLowerCase(Locale.ROOT));
            }
        }
        return pairs.isEmpty() ? "" : " (allowed: " + String.join("; ", pairs) + ")";
    }

    // ------------------------------------------------------------------------------------------------ closest

    private static List<Trace.ClosestRule> closest(Tracer t, Tracer.Resolved r, Evaluation ev) {
        Set<String> portChains = new LinkedHashSet<>();
        for (Evaluation.Step s : ev.steps()) {
            if (s instanceof Evaluation.Entered e && t.isPortChain(e.chain())) {
                portChains.add(e.table() + "\u0000" + e.chain());
            }
        }
        RulesetEvaluator evaluator = t.evaluator();
        Packet p = r.packet();
        List<Trace.ClosestRule> out = new ArrayList<>();
        java.util.Map<Trace.ClosestRule, Integer> conditions = new java.util.IdentityHashMap<>();
        for (String tc : portChains) {
            String[] parts = tc.split("\u0000");
            Chain c = t.chain(p.family(), parts[0], parts[1]);
            if (c == null) {
                continue;
            }
            for (int i = 0; i < c.rules().size(); i++) {
                Rule rule = c.rules().get(i);
                Provenance prov = t.provenance(c.name(), rule);
                if (prov.role() != Role.SECURITY_GROUP_RULE) {
                    continue;
                }
                List<String> mismatches = new ArrayList<>();
                List<RulesetEvaluator.MatchResult> results = evaluator.explain(p.family(), rule, p);
                boolean protocolDiffers = results.stream().anyMatch(m -> m.match() instanceof Match.Protocol
                        && Boolean.FALSE.equals(m.matched()));
                for (RulesetEvaluator.MatchResult m : results) {
                    if (protocolDiffers && (m.match() instanceof Match.Ports || m.match() instanceof Match.Multiport
                            || m.match() instanceof Match.Icmp || m.match() instanceof Match.TcpFlags)) {
                        continue; // the protocol's own options say nothing more
                    }
                    if (!Boolean.TRUE.equals(m.matched())) {
                        mismatches.add(mismatch(m.match(), p, m.matched() == null));
                    }
                }
                if (mismatches.isEmpty()) {
                    continue;
                }
                out.add(new Trace.ClosestRule(c.name(), i + 1, rule.text(), prov, describe(t, prov), mismatches));
                conditions.put(out.get(out.size() - 1), results.size());
            }
        }
        // fewest mismatches first; among equals, the 4-versus-94 confusion, then the least specific rule
        out.sort(Comparator.comparingInt((Trace.ClosestRule c) -> c.mismatches().size())
                .thenComparingInt(c -> confusable(p, c) ? 0 : 1)
                .thenComparingInt(conditions::get));
        return out.size() > CLOSEST ? List.copyOf(out.subList(0, CLOSEST)) : out;
    }

    private static boolean confusable(Packet p, Trace.ClosestRule c) {
        String m = c.mismatches().get(0);
        return p.protocol() == 4 && m.startsWith("protocol 94") || p.protocol() == 94 && m.startsWith("protocol 4 (");
    }

    private static String describe(Tracer t, Provenance prov) {
        if (t.view() == null || prov.securityGroupId() == null) {
            return null;
        }
        SecurityGroup g = t.view().group(prov.securityGroupId());
        if (g == null) {
            return null;
        }
        for (SecurityGroupRule rule : g.rules()) {
            if (rule.id() != null && rule.id().equals(prov.securityGroupRuleId())) {
                return SecurityGroupLinter.describe(rule);
            }
        }
        return null;
    }

    /** One condition the packet failed, in words. */
    static String mismatch(Match m, Packet p, boolean unknown) {
        String suffix = unknown ? " (cannot tell: the probe does not say)" : "";
        return switch (m) {
            case Match.Protocol pr -> "protocol " + (pr.negated() ? "not " : "")
                    + Tracer.protocolWords(RuleParser.readsAs(pr.protocol()))
                    + (Tracer.protocolWords(RuleParser.readsAs(pr.protocol())).contains("(" + pr.protocol() + ")")
                    || pr.protocol().chars().allMatch(Character::isDigit) ? "" : " (-p " + pr.protocol() + ")")
                    + ", the packet's is " + Tracer.protocolWords(p.protocol());
            case Match.Address a -> (a.source() ? "source " : "destination ") + (a.negated() ? "not in " : "")
                    + a.cidr() + ", the packet's is " + (a.source() ? p.src() : p.dst());
            case Match.Ports pt -> ports(pt.sport(), pt.dport(), p) + suffix;
            case Match.Multiport mp -> ports(mp.sports(), mp.dports(), p) + suffix;
            case Match.Icmp i -> "ICMP type " + (i.type() == null ? "any" : i.type() + (i.code() == null ? ""
                    : "/" + i.code())) + ", the packet's is " + (p.icmpType() == null ? "not given"
                    : p.icmpType() + "/" + p.icmpCode());
            case Match.Set s -> (s.flags().startsWith("src") ? "source " + p.src() : "destination " + p.dst())
                    + (s.negated() ? " is in " : " is not in ") + "set " + s.setName() + remoteGroupOf(s.setName())
                    + suffix;
            case Match.State st -> "conntrack state " + String.join(",", st.states()) + suffix;
            case Match.Mac mac -> "source MAC " + mac.macSource().toLowerCase(Locale.ROOT) + ", the packet's is "
                    + (p.srcMac() == null ? "not given" : p.srcMac());
            default -> "'" + m.text() + "' does not match" + suffix;
        };
    }

    private static String ports(String sport, String dport, Packet p) {
        StringBuilder sb = new StringBuilder();
        if (dport != null) {
            sb.append("destination port ").append(dport).append(", the packet's is ")
                    .append(p.dport() == null ? "not given" : p.dport());
        }
        if (sport != null) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append("source port ").append(sport).append(", the packet's is ")
                    .append(p.sport() == null ? "not given" : p.sport());
        }
        return sb.isEmpty() ? "protocol's ports" : sb.toString();
    }

    private static String remoteGroupOf(String setName) {
        if (setName.startsWith("NIPv4") || setName.startsWith("NIPv6")) {
            return " (the members of remote group " + setName.substring(5) + "...)";
        }
        return "";
    }
}
