package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: the rendered ruleset cut down to what Tapguard owns (its chains, its jumps from built-in chains, its
 * ipsets), plus the fail-closed guard chain holding a DROP for each port given as guarded.
 */
public final class DesiredState {
    private DesiredState() {
    }

    public static final String GUARD_COMMENT = "tapguard: rules of this port are not applied; fail closed";

    /**
     * @param guarded port id to tap device of the ports to drop (their rules could not be applied)
     * @param keys    cache of rule keys from the previous cycle (text to key); refreshed in place
     */
    public static FirewallState of(Ruleset ruleset, Ownership own, Map<String, String> guarded,
                                   Map<String, String> keys) {
        return of(ruleset, own, DispatchLayout.FLAT, guarded, keys, new HashMap<>(), FirewallState.EMPTY);
    }

    /**
     * As above, with the dispatch chains laid out by {@code layout}, reusing the rule lists of {@code previous} (the
     * last desired state) for chains whose rules did not change, so an unchanged chain costs one identity comparison
     * per rule (the renderer hands back the same rule objects for unchanged ports) and compares by identity in the
     * planner.
     *
     * @param buckets port id to bucket (a memo kept by the caller, refreshed in place)
     */
    public static FirewallState of(Ruleset ruleset, Ownership own, DispatchLayout layout,
                                   Map<String, String> guarded, Map<String, String> keys,
                                   Map<String, Integer> buckets, FirewallState previous) {
        // the key cache only grows here; it is rebuilt from the rules in use when it gets twice too big
        Map<String, String> nextKeys = keys;
        int[] inUse = new int[1];
        Map<Family, Map<String, TableState>> tables = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            Map<String, TableState> byName = new LinkedHashMap<>();
            for (String tn : FirewallState.TABLES) {
                Table t = ruleset.table(f, tn);
                Map<String, List<OwnedRule>> chains = new LinkedHashMap<>();
                Map<String, List<OwnedRule>> hooks = new LinkedHashMap<>();
                Map<String, List<OwnedRule>> prevChains = previous.table(f, tn).chains();
                if (t != null) {
                    for (Chain c : t.chains()) {
                        if (own.ownsChain(c.name())) {
                            layout.split(own.wrap(), c.name(), c.rules(), buckets).forEach((name, rules) -> {
                                List<OwnedRule> same = reuse(prevChains.get(name), rules);
                                chains.put(name, same != null ? same : owned(rules, keys, nextKeys));
                            });
                            inUse[0] += c.rules().size();
                        } else if (c.builtin()) {
                            List<Rule> ours = new ArrayList<>();
                            for (Rule r : c.rules()) {
                                if (own.ownsHook(r)) {
                                    ours.add(r);
                                }
                            }
                            if (!ours.isEmpty()) {
                                List<OwnedRule> same = reuse(previous.table(f, tn).hooks().get(c.name()), ours);
                                hooks.put(c.name(), same != null ? same : owned(ours, keys, nextKeys));
                            }
                        }
                    }
                }
                if (tn.equals("filter") && t != null) {
                    addGuard(own, guarded, chains, hooks, keys, nextKeys);
                }
                byName.put(tn, new TableState(tn, chains, hooks, Set.of()));
            }
            tables.put(f, byName);
        }
        Map<String, IpSetState> sets = new LinkedHashMap<>();
        for (IpSet s : ruleset.ipsets()) {
            IpSetState prev = previous.ipsets().get(s.name());
            if (prev != null && prev.source() == s) {
                sets.put(s.name(), prev);
                inUse[0] += s.members().size();
                continue;
            }
            Set<String> members = new LinkedHashSet<>();
            for (String m : s.members()) {
                // member keys share the cache under a NUL prefix (no rule text starts with NUL)
                members.add(keys.computeIfAbsent("\u0000" + m, k -> IpSetMembers.key(m)));
                inUse[0]++;
            }
            sets.put(s.name(), new IpSetState(s.name(), s.ipsetFamily(), members, s));
        }
        FirewallState out = new FirewallState(tables, sets);
        if (keys.size() > 2 * inUse[0] + 4096) {
            keys.clear();
            out.tables().values().forEach(m -> m.values().forEach(t -> t.chains().values().forEach(
                    rules -> rules.forEach(r -> keys.put(r.text(), r.key())))));
        }
        if (buckets.size() > 2 * ruleset.chainPorts().size() + 4096) {
            buckets.clear();
        }
        return out;
    }

    private static void addGuard(Ownership own, Map<String, String> guarded, Map<String, List<OwnedRule>> chains,
                                 Map<String, List<OwnedRule>> hooks, Map<String, String> keys,
                                 Map<String, String> nextKeys) {
        String guard = own.guardChain();
        List<Rule> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        guarded.forEach((port, tap) -> {
            if (seen.add(tap)) {
                rules.addAll(guardRules(port, tap));
            }
        });
        chains.put(guard, owned(rules, keys, nextKeys));
        Rule jump = Rule.of(new Verdict.Jump(guard), Provenance.of(Provenance.Role.SKELETON));
        for (String builtin : List.of("FORWARD", "INPUT")) {
            List<OwnedRule> h = new ArrayList<>();
            h.add(owned(List.of(jump), keys, nextKeys).get(0));
            h.addAll(hooks.getOrDefault(builtin, List.of()));
            hooks.put(builtin, h);
        }
    }

    /** The two DROPs of a guarded port: traffic from its tap (FORWARD and INPUT) and to it. */
    public static List<Rule> guardRules(String portId, String tap) {
        Provenance p = Provenance.port(portId, Provenance.Role.FALLBACK);
        Match comment = new Match.Comment(GUARD_COMMENT);
        return List.of(
                Rule.of(Verdict.DROP, p, new Match.Physdev(tap, null, false, false, false), comment),
                Rule.of(Verdict.DROP, p, new Match.Physdev(null, tap, false, false, false), comment));
    }

    /**
     * The previous owned rules if they were made from these very rule objects (the common case: the renderer hands
     * back the same objects for what did not change); the previous texts and keys pointing at these objects if only
     * the texts are the same (after a read-back), so the next cycle takes the first path; null if anything differs.
     */
    private static List<OwnedRule> reuse(List<OwnedRule> prev, List<Rule> rules) {
        if (prev == null || prev.size() != rules.size()) {
            return null;
        }
        boolean identical = true;
        for (int i = 0; i < rules.size(); i++) {
            OwnedRule p = prev.get(i);
            Rule r = rules.get(i);
            if (p.rule() != r) {
                if (!p.text().equals(r.text())) {
                    return null;
                }
                identical = false;
            }
        }
        if (identical) {
            return prev;
        }
        List<OwnedRule> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            out.add(new OwnedRule(prev.get(i).text(), prev.get(i).key(), rules.get(i)));
        }
        return out;
    }

    private static List<OwnedRule> owned(List<Rule> rules, Map<String, String> keys, Map<String, String> nextKeys) {
        List<OwnedRule> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            String k = keys.get(r.text());
            if (k == null) {
                k = RuleText.key(r.text());
                nextKeys.put(r.text(), k);
            }
            out.add(new OwnedRule(r.text(), k, r));
        }
        return out;
    }
}
