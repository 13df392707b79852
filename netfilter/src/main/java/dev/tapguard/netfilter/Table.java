package dev.tapguard.netfilter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A table (filter, raw, ...) and its chains in declaration order. */
public record Table(String name, List<Chain> chains) {

    /** The built-in chains of each table, in the order the kernel hooks them. */
    public static final Map<String, List<String>> BUILTIN_CHAINS = Map.of(
            "filter", List.of("INPUT", "FORWARD", "OUTPUT"),
            "raw", List.of("PREROUTING", "OUTPUT"),
            "mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
            "nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
            "security", List.of("INPUT", "FORWARD", "OUTPUT"));

    public Table {
        chains = List.copyOf(chains);
    }

    public Chain chain(String chainName) {
        for (Chain c : chains) {
            if (c.name().equals(chainName)) {
                return c;
            }
        }
        return null;
    }

    public Map<String, Chain> byName() {
        Map<String, Chain> m = new LinkedHashMap<>();
        for (Chain c : chains) {
            m.put(c.name(), c);
        }
        return m;
    }

    public int ruleCount() {
        int n = 0;
        for (Chain c : chains) {
            n += c.rules().size();
        }
        return n;
    }
}
