package dev.tapguard.render;

import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects one table's chains and rules the way Neutron's IptablesManager does, then produces the table that its
 * {@code _modify_rules} would leave in the kernel: per chain, Tapguard's top rules, then its other rules, then the
 * foreign rules already there; a line that occurs twice keeps only its last copy.
 */
final class TableBuilder {
    private final String name;
    private final String wrap;
    /** Every chain something was said about, by name. */
    private final Map<String, Entry> entries = new HashMap<>();
    /** Tapguard's chains in the order they were first declared. */
    private final List<Entry> ownChains = new ArrayList<>();

    /** What was said about one chain. */
    private static final class Entry {
        final String name;
        List<Rule> top;
        List<Rule> bottom;
        /** A final chain: only Tapguard's rules, already swept for duplicates (one port's chains). */
        Chain finalChain;
        /** Every rule Tapguard adds is distinct by construction (one per port, port names never collide). */
        boolean distinct;
        boolean own;

        Entry(String name) {
            this.name = name;
        }
    }

    TableBuilder(String name, String wrap) {
        this.name = name;
        this.wrap = wrap;
    }

    String wrapped(String chain) {
        return wrap + "-" + chain;
    }

    private Entry entry(String chain) {
        Entry e = entries.get(chain);
        if (e == null) {
            e = new Entry(chain);
            entries.put(chain, e);
        }
        return e;
    }

    private Entry own(String chain) {
        Entry e = entry(chain);
        if (!e.own) {
            e.own = true;
            ownChains.add(e);
        }
        return e;
    }

    void chain(String fullName) {
        own(fullName);
    }

    /** Declares that every rule Tapguard adds to this chain is distinct, so no duplicate sweep is needed. */
    void distinctRules(String fullName) {
        entry(fullName).distinct = true;
    }

    /**
     * Adds a chain that only Tapguard writes to, final (rules swept with {@link #keepLast} already), named by nothing
     * else in this table: used as it is, so an unchanged port chain is the same object render after render.
     */
    void chainFinal(Chain chain) {
        Entry e = new Entry(chain.name());
        e.own = true;
        e.finalChain = chain;
        ownChains.add(e);
    }

    void add(String chain, Rule rule) {
        Entry e = entry(chain);
        if (e.bottom == null) {
            e.bottom = new ArrayList<>();
        }
        e.bottom.add(rule);
    }

    void addTop(String chain, Rule rule) {
        Entry e = entry(chain);
        if (e.top == null) {
            e.top = new ArrayList<>();
        }
        e.top.add(rule);
    }

    void addAll(String chain, List<Rule> rules) {
        Entry e = entry(chain);
        if (e.bottom == null) {
            e.bottom = new ArrayList<>();
        }
        e.bottom.addAll(rules);
    }

    /** The final table given what the kernel has now ({@code current} null = nothing of this table). */
    Table build(Table current) {
        Map<String, Chain> declared = new LinkedHashMap<>();
        Map<String, List<Rule>> foreign = new HashMap<>();
        Set<String> ourTexts = null;
        if (current != null) {
            for (Chain c : current.chains()) {
                if (!c.name().contains(wrap)) {
                    declared.put(c.name(), c);
                }
            }
            for (Chain c : current.chains()) {
                if (c.name().contains(wrap)) {
                    continue; // every line of this chain contains the wrap: none is foreign
                }
                for (Rule r : c.rules()) {
                    String line = "-A " + c.name() + " " + r.text();
                    if (line.contains(wrap)) {
                        continue;
                    }
                    if (ourTexts == null) {
                        ourTexts = ourLines();
                    }
                    if (!ourTexts.contains(line)) {
                        foreign.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
        }
        List<Chain> chains = new ArrayList<>(declared.size() + ownChains.size());
        for (String c : declared.keySet()) {
            chains.add(chain(c, entries.get(c), declared.get(c), foreign.get(c)));
        }
        for (Entry e : ownChains) {
            if (e.finalChain != null || !declared.containsKey(e.name)) {
                chains.add(chain(e.name, e, null, null));
            }
        }
        return new Table(name, chains);
    }

    private Chain chain(String c, Entry e, Chain old, List<Rule> f) {
        if (e != null && e.finalChain != null) {
            return e.finalChain;
        }
        List<Rule> rules = new ArrayList<>();
        if (e != null) {
            if (e.top != null) {
                rules.addAll(e.top);
            }
            if (e.bottom != null) {
                rules.addAll(e.bottom);
            }
        }
        if (f != null) {
            rules.addAll(f);
        }
        String policy = old != null ? old.policy() : builtinPolicy(c);
        boolean sweep = f != null || e == null || !e.distinct;
        return new Chain(c, policy, sweep ? keepLast(rules) : rules, old != null ? old.policyCounters() : null);
    }

    private String builtinPolicy(String chain) {
        return Table.BUILTIN_CHAINS.getOrDefault(name, List.of()).contains(chain) ? "ACCEPT" : null;
    }

    private Set<String> ourLines() {
        Set<String> s = new HashSet<>();
        for (Entry e : entries.values()) {
            for (List<Rule> rules : java.util.Arrays.asList(e.top, e.bottom)) {
                if (rules != null) {
                    rules.forEach(r -> s.add("-A " + e.name + " " + r.text()));
                }
            }
        }
        return s;
    }

    /** Neutron's _weed_out_duplicates: walking backwards, the first copy seen (the last one) stays. */
    static List<Rule> keepLast(List<Rule> rules) {
        int n = rules.size();
        if (n < 2 || !hasDuplicate(rules)) {
            return rules;
        }
        Set<String> seen = new HashSet<>(n * 2);
        ArrayList<Rule> out = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
            Rule r = rules.get(i);
            if (seen.add(r.text())) {
                out.add(r);
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    private static boolean hasDuplicate(List<Rule> rules) {
        int n = rules.size();
        if (n <= 48) {
            // port chains are short: comparing cached hashes beats building a set for each of thousands of chains
            int[] h = new int[n];
            for (int i = 0; i < n; i++) {
                h[i] = rules.get(i).hashCode();
                for (int j = 0; j < i; j++) {
                    if (h[j] == h[i] && rules.get(j).text().equals(rules.get(i).text())) {
                        return true;
                    }
                }
            }
            return false;
        }
        Set<String> seen = new HashSet<>(n * 2);
        for (Rule r : rules) {
            if (!seen.add(r.text())) {
                return true;
            }
        }
        return false;
    }
}
