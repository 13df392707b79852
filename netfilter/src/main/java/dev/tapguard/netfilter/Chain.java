package dev.tapguard.netfilter;

import java.util.List;

/** A chain: built-in ones have a policy (ACCEPT/DROP), user chains have none (null). */
public record Chain(String name, String policy, List<Rule> rules, Counters policyCounters) {

    public Chain {
        rules = List.copyOf(rules);
    }

    public Chain(String name, String policy, List<Rule> rules) {
        this(name, policy, rules, null);
    }

    public boolean builtin() {
        return policy != null;
    }

    public Chain withRules(List<Rule> newRules) {
        return new Chain(name, policy, newRules, policyCounters);
    }
}
