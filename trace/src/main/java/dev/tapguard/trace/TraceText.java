package dev.tapguard.trace;

import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import java.util.Locale;

/**
 * A trace as text, in the style of {@code ovs-appctl ofproto/trace}: the packet, then for each hop every chain
 * entered with its numbered rules tried, then the verdict last (ALLOWED or DENIED) with the rule that decided it,
 * the security group behind it, and for a denied packet the closest rules and the fix.
 */
public final class TraceText {
    private TraceText() {
    }

    public static String format(Trace t) {
        StringBuilder sb = new StringBuilder();
        if (t.probe().name() != null) {
            sb.append("Probe: ").append(t.probe().name()).append('\n');
        }
        Packet first = t.hops().get(0).packet();
        sb.append("Packet: ").append(packet(first)).append('\n');
        int n = 0;
        for (Trace.Hop h : t.hops()) {
            n++;
            String title = "hop " + n + ": " + h.label();
            sb.append('\n').append(title).append('\n').append("-".repeat(Math.min(title.length(), 100)))
                    .append('\n');
            boolean conntrackShown = false;
            for (Trace.Step s : h.steps()) {
                switch (s.kind()) {
                    case ENTER -> {
                        if (!conntrackShown && !s.table().equals("raw")) {
                            sb.append("conntrack: state ").append(h.state().wire())
                                    .append(h.zone() == null ? "" : ", zone " + h.zone()).append('\n');
                            conntrackShown = true;
                        }
                        sb.append(s.table()).append(' ').append(s.chain()).append('\n');
                    }
                    case RULE -> {
                        sb.append(String.format(Locale.ROOT, "  %3d. %s%n", s.number(), s.ruleText()));
                        sb.append("       ").append(s.matched() == null ? "could not decide: taken as no match"
                                : s.matched() ? "matched: " + s.action() : "no match");
                        String tag = tag(s.provenance());
                        if (tag != null) {
                            sb.append("   [").append(tag).append(']');
                        }
                        sb.append('\n');
                    }
                    case SKIPPED -> sb.append(String.format(Locale.ROOT, "  %3d-%d. %d rule%s for other bridge "
                                    + "ports or devices: cannot match%n", s.number(), s.toNumber(),
                            s.toNumber() - s.number() + 1, s.toNumber() == s.number() ? "" : "s"));
                    case POLICY -> sb.append("  policy ").append(s.action()).append('\n');
                    case RETURN -> sb.append("  (end of ").append(s.chain()).append(": back to the caller)\n");
                }
            }
            if (!conntrackShown) {
                sb.append("conntrack: state ").append(h.state().wire())
                        .append(h.zone() == null ? "" : ", zone " + h.zone()).append('\n');
            }
        }
        sb.append('\n').append("Verdict: ").append(t.verdict()).append(t.decided() ? "" : " (not certain: see "
                + "warnings)").append('\n');
        Trace.Decision d = t.decision();
        if (d != null && d.chain() != null) {
            sb.append("  decided by ").append(d.table()).append(' ').append(d.chain());
            if (d.ruleNumber() == 0) {
                sb.append(" policy ").append(d.policy()).append('\n');
            } else {
                sb.append(" rule ").append(d.ruleNumber()).append(": ").append(d.ruleText()).append('\n');
            }
            if (d.provenance() != null && d.provenance().securityGroupRuleId() != null) {
                sb.append("  security group ").append(d.provenance().securityGroupId()).append(", rule ")
                        .append(d.provenance().securityGroupRuleId()).append('\n');
            }
            if (d.kernelChain() != null && (!d.kernelChain().equals(d.chain())
                    || d.kernelRuleNumber() != d.ruleNumber())) {
                sb.append("  (the kernel's walk ended at ").append(d.kernelChain())
                        .append(d.kernelRuleNumber() == 0 ? " policy" : " rule " + d.kernelRuleNumber()).append(")\n");
            }
        }
        if (d != null && d.reason() != null) {
            sb.append("  why: ").append(d.reason()).append('\n');
        }
        Trace.Explanation e = t.explanation();
        if (e != null) {
            if (e.summary() != null) {
                sb.append("  ").append(e.summary()).append('\n');
            }
            if (!e.closest().isEmpty()) {
                sb.append("  closest rules:\n");
                for (Trace.ClosestRule c : e.closest()) {
                    sb.append("    ").append(c.chain()).append(" rule ").append(c.number()).append(": ")
                            .append(c.ruleText());
                    String tag = tag(c.provenance());
                    if (tag != null) {
                        sb.append("   [").append(tag).append(']');
                    }
                    sb.append('\n');
                    if (c.description() != null) {
                        sb.append("      (").append(c.description()).append(")\n");
                    }
                    for (String m : c.mismatches()) {
                        sb.append("      - ").append(m).append('\n');
                    }
                }
            }
            for (String note : e.notes()) {
                sb.append("  note: ").append(note).append('\n');
            }
            if (e.fix() != null) {
                sb.append("  fix: ").append(e.fix()).append('\n');
            }
        }
        if (!t.warnings().isEmpty()) {
            sb.append("warnings:\n");
            for (String w : t.warnings()) {
                sb.append("  - ").append(w).append('\n');
            }
        }
        return sb.toString();
    }

    static String packet(Packet p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.ethertype()).append(' ').append(p.src());
        if (p.sport() != null) {
            sb.append(':').append(p.sport());
        }
        sb.append(" -> ").append(p.dst());
        if (p.dport() != null) {
            sb.append(':').append(p.dport());
        }
        sb.append(", protocol ").append(Tracer.protocolWords(p.protocol()));
        if (p.icmpType() != null) {
            sb.append(", icmp type ").append(p.icmpType()).append(" code ").append(p.icmpCode());
        }
        if (p.tcpFlags() != null) {
            sb.append(", flags ").append(p.tcpFlags());
        }
        if (p.srcMac() != null) {
            sb.append(", src mac ").append(p.srcMac());
        }
        sb.append(", conntrack ").append(p.ct().wire());
        return sb.toString();
    }

    private static String tag(Provenance p) {
        if (p == null) {
            return null;
        }
        if (p.securityGroupRuleId() != null) {
            return "security group " + p.securityGroupId() + " rule " + p.securityGroupRuleId();
        }
        return p.role().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
