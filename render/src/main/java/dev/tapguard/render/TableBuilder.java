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
    private final Set<String> ownChains = new java.util.LinkedHashSet<>();
    /** Chains whose rules are distinct by construction (one per port, and port names never collide). */
    private final Set<String> distinct = new HashSet<>();
    private final Map<String, List<Rule>> top = new HashMap<>();
    private final Map<String, List<Rule>> bottom = new HashMap<>();
    /** Chains whose rules are final: only Tapguard's, already swept for duplicates (one port's chains). */
    private final Map<String, List<Rule>> finals = new HashMap<>();

    TableBuilder(String name, String wrap) {
        this.name = name;
        this.wrap = wrap;
    }

    String wrapped(String chain) {
        return wrap + "-" + chain;
    }

    void chain(String fullName) {
        ownChains.add(fullName);
    }

    /** Declares that every rule Tapguard adds to this chain is distinct, so no duplicate sweep is needed. */
    void distinctRules(String fullName) {
        distinct.add(fullName);
    }

    /**
     * Declares a chain that only Tapguard writes to with its final rules (swept with {@link #keepLast} already): the
     * list is used as it is, so an unchanged port chain is the same list object render after render.
     */
    void chainFinal(String fullName, List<Rule> rules) {
        ownChains.add(fullName);
        finals.put(fullName, rules);
    }

    void add(String chain, Rule rule) {
        bottom.computeIfAbsent(chain, k -> new ArrayList<>()).add(rule);
    }

    void addTop(String chain, Rule rule) {
        top.computeIfAbsent(chain, k -> new ArrayList<>()).add(rule);
    }

    void addAll(String chain, List<Rule> rules) {
        bottom.computeIfAbsent(chain, k -> new ArrayList<>()).addAll(rules);
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
        List<String> names = new ArrayList<>(declared.keySet());
        for (String c : ownChains) {
            if (!declared.containsKey(c)) {
                names.add(c);
            }
        }
        List<Chain> chains = new ArrayList<>(names.size());
        for (String c : names) {
            List<Rule> fin = finals.get(c);
            if (fin != null && !declared.containsKey(c) && !top.containsKey(c) && !bottom.containsKey(c)) {
                chains.add(new Chain(c, builtinPolicy(c), fin, null));
                continue;
            }
            List<Rule> rules = new ArrayList<>();
            List<Rule> t = top.get(c);
            if (t != null) {
                rules.addAll(t);
            }
            List<Rule> b = bottom.get(c);
            if (b != null) {
                rules.addAll(b);
            }
            if (fin != null) {
                rules.addAll(fin);
            }
            List<Rule> f = foreign.get(c);
            if (f != null) {
                rules.addAll(f);
            }
            Chain old = declared.get(c);
            String policy = old != null ? old.policy() : builtinPolicy(c);
            boolean sweep = f != null || !distinct.contains(c);
            chains.add(new Chain(c, policy, sweep ? keepLast(rules) : rules,
                    old != null ? old.policyCounters() : null));
        }
        return new Table(name, chains);
    }

    private String builtinPolicy(String chain) {
        return Table.BUILTIN_CHAINS.getOrDefault(name, List.of()).contains(chain) ? "ACCEPT" : null;
    }

    private Set<String> ourLines() {
        Set<String> s = new HashSet<>();
        for (Map<String, List<Rule>> m : List.of(top, bottom)) {
            m.forEach((c, rules) -> rules.forEach(r -> s.add("-A " + c + " " + r.text())));
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
