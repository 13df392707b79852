package dev.tapguard.trace;

import dev.tapguard.model.Direction;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import java.util.List;

/**
 * The answer to a probe: the hops the packet makes (one bridge pass each), the steps of each hop (chains entered,
 * rules tried, with the provenance of each rule), and the verdict with the rule that decided it and the
 * security-group rule behind it, an explanation when nothing allowed the packet, and what could not be decided.
 */
public record Trace(Probe probe, List<Hop> hops, boolean allowed, Decision decision, Explanation explanation,
                    List<String> warnings, boolean decided) {

    public Trace {
        hops = List.copyOf(hops);
        warnings = List.copyOf(warnings);
    }

    /** "ALLOWED" or "DENIED". */
    public String verdict() {
        return allowed ? "ALLOWED" : "DENIED";
    }

    /** One pass through a bridge's netfilter hooks. */
    public record Hop(String label, String portId, Direction direction, boolean toHost, Packet packet,
                      List<Step> steps, Decision decision, CtState state, Integer zone) {
        public Hop {
            steps = List.copyOf(steps);
        }
    }

    /** What one step did; {@code number}/{@code toNumber} are 1-based rule numbers in the chain. */
    public record Step(Kind kind, String table, String chain, int number, int toNumber, String ruleText,
                       Boolean matched, String action, Provenance provenance) {
    }

    /** The kinds of step. */
    public enum Kind {
        /** The walk entered a chain. */
        ENTER,
        /** A rule was tried ({@code matched} null: could not be decided, taken as not matching). */
        RULE,
        /** Rules that cannot match this packet's bridge ports or interfaces. */
        SKIPPED,
        /** A built-in chain's policy applied. */
        POLICY,
        /** The end of a user chain: back to the caller. */
        RETURN
    }

    /**
     * What decided: the rule (or policy) that allowed or denied the packet as the user thinks of it (for an
     * allowed packet, the port chain's rule whose RETURN let it through, not the final ACCEPT of sg-chain), with its
     * provenance and a reason in words; {@code kernelRule*} is where the kernel's walk actually ended.
     */
    public record Decision(boolean allowed, String outcome, String table, String chain, int ruleNumber,
                           String ruleText, String policy, Provenance provenance, String reason,
                           String kernelChain, int kernelRuleNumber) {
    }

    /** Why nothing allowed the packet, the rules that came closest, and the rule that would allow it. */
    public record Explanation(String summary, List<ClosestRule> closest, String fix, List<String> notes) {
        public Explanation {
            closest = List.copyOf(closest);
            notes = List.copyOf(notes);
        }
    }

    /** A rule that did not match, and each of its conditions the packet failed. */
    public record ClosestRule(String chain, int number, String ruleText, Provenance provenance, String description,
                              List<String> mismatches) {
        public ClosestRule {
            mismatches = List.copyOf(mismatches);
        }
    }
}
