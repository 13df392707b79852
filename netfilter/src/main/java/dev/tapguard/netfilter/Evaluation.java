package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the kernel does with one probe: every chain entered and every rule tried (rules that cannot match the
 * packet's bridge ports or interfaces are reported as skipped ranges), the rule or policy that decided, the verdict,
 * the conntrack state and zone the packet had, and notes on what could not be decided. The step list is built on
 * first use, so that evaluations that only need the verdict stay cheap.
 */
public final class Evaluation {

    /** The final verdict. */
    public enum Outcome {
        ACCEPT, DROP, REJECT;

        public boolean allowed() {
            return this == ACCEPT;
        }
    }

    /** The rule (1-based number in its chain) or the built-in chain policy ({@code ruleNumber} 0) that decided. */
    public record Decision(Family family, String table, String chain, int ruleNumber, Rule rule, String policy) {
        public boolean byPolicy() {
            return ruleNumber == 0;
        }
    }

    /** One thing the walk did. */
    public sealed interface Step {
        String table();

        String chain();
    }

    /** The walk entered a chain (a hook's built-in chain, or by a jump or goto). */
    public record Entered(String table, String chain) implements Step {
    }

    /** A rule was tried; {@code matched} is null when it could not be decided (and was taken as not matching). */
    public record Tried(String table, String chain, int number, Rule rule, Boolean matched) implements Step {
    }

    /** Rules {@code from..to} (1-based) cannot match: their bridge port or interface is not the packet's. */
    public record Skipped(String table, String chain, int fromNumber, int toNumber) implements Step {
    }

    /** The end of a built-in chain: its policy applies. */
    public record Policy(String table, String chain, String policy) implements Step {
    }

    /** The end of a user chain: the walk returns to the calling chain. */
    public record Left(String table, String chain) implements Step {
    }

    private final Packet packet;
    private final Outcome outcome;
    private final Decision decision;
    private final CtState state;
    /** -1: none. */
    private final int zone;
    private final boolean decided;
    private final List<String> notes;
    private final int[] rawSteps;
    private final int stepCount;
    private final RulesetEvaluator.CompiledFamily family;
    private List<Step> steps;

    Evaluation(Packet packet, Outcome outcome, Decision decision, CtState state, int zone, boolean decided,
               List<String> notes, int[] rawSteps, int stepCount, RulesetEvaluator.CompiledFamily family) {
        this.packet = packet;
        this.outcome = outcome;
        this.decision = decision;
        this.state = state;
        this.zone = zone;
        this.decided = decided;
        this.notes = notes;
        this.rawSteps = rawSteps;
        this.stepCount = stepCount;
        this.family = family;
    }

    public Packet packet() {
        return packet;
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean allowed() {
        return outcome.allowed();
    }

    public Decision decidedBy() {
        return decision;
    }

    /** The conntrack state the filter table saw (after NOTRACK and the kernel's facts). */
    public CtState state() {
        return state;
    }

    /** The conntrack zone set in the raw table, or null. */
    public Integer zone() {
        return zone < 0 ? null : zone;
    }

    /** False when a rule tried before the decision could not be decided (see {@link #notes()}). */
    public boolean decided() {
        return decided;
    }

    public List<String> notes() {
        return notes;
    }

    public synchronized List<Step> steps() {
        if (steps == null) {
            steps = Collections.unmodifiableList(family.materialize(rawSteps, stepCount));
        }
        return steps;
    }

    /** The rules tried (matched or not), in order. */
    public List<Tried> rulesTried() {
        List<Tried> out = new ArrayList<>();
        for (Step s : steps()) {
            if (s instanceof Tried t) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return outcome + (decision == null ? "" : " by " + decision.table() + " " + decision.chain()
                + (decision.byPolicy() ? " policy" : " rule " + decision.ruleNumber()));
    }
}
