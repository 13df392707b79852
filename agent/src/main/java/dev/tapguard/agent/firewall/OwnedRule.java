package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Rule;

/**
 * A rule in one of Tapguard's chains: the text to write, the key it is compared by ({@link RuleText#key}), and the
 * parsed rule (for conntrack zones and set references).
 */
public record OwnedRule(String text, String key, Rule rule) {

    public static OwnedRule of(Rule rule) {
        return new OwnedRule(rule.text(), RuleText.key(rule.text()), rule);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OwnedRule r && r.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
