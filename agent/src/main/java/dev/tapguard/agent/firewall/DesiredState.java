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
        Memo memo = new Memo();
        memo.keys.putAll(keys);
        FirewallState out = of(ruleset, own, guarded, memo);
        keys.putAll(memo.keys);
        return out;
    }

    /**
     * What the previous call made from which rendered lists, so that an unchanged chain costs one identity check:
     * the renderer hands back the same list (or the same rule objects) for what did not change, and this hands back
     * the same owned list, which the planner then compares by identity too. Mutable; one per agent.
     */
    public static final class Memo {
        /** Rule text to key (and ipset member, under a NUL prefix, to key). */
        final Map<String, String> keys = new HashMap<>();
        /** Per family and table: chain name to the rendered list and the owned list made from it. */
        private Map<Family, Map<String, Map<String, Source>>> sources = new EnumMap<>(Family.class);
        private Map<String, IpSetState> sets = new HashMap<>();
    }

    private record Source(List<Rule> rendered, List<OwnedRule> owned) {
    }

    /** As above, remembering what it made in {@code memo} for the next call. */
    public static FirewallState of(Ruleset ruleset, Ownership own, Map<String, String> guarded, Memo memo) {
        Map<String, String> keys = memo.keys;
        int[] inUse = new int[1];
        Map<Family, Map<String, TableState>> tables = new EnumMap<>(Family.class);
        Map<Family, Map<String, Map<String, Source>>> nextSources = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            Map<String, TableState> byName = new LinkedHashMap<>();
            Map<String, Map<String, Source>> nextByTable = new HashMap<>();
            for (String tn : FirewallState.TABLES) {
                Table t = ruleset.table(f, tn);
                Map<String, List<OwnedRule>> chains = new LinkedHashMap<>();
                Map<String, List<OwnedRule>> hooks = new LinkedHashMap<>();
                Map<String, Source> prev = memo.sources.getOrDefault(f, Map.of()).getOrDefault(tn, Map.of());
                Map<String, Source> next = new HashMap<>(prev.size() * 2 + 16);
                if (t != null) {
                    for (Chain c : t.chains()) {
                        // a chain seen last time was ours then: ownership is by name
                        if (prev.containsKey(c.name()) || own.ownsChain(c.name())) {
                            chains.put(c.name(), owned(c.name(), c.rules(), prev, next, keys));
                            inUse[0] += c.rules().size();
                        } else if (c.builtin()) {
                            List<Rule> ours = new ArrayList<>();
                            for (Rule r : c.rules()) {
                                if (own.ownsHook(r)) {
                                    ours.add(r);
                                }
                            }
                            if (!ours.isEmpty()) {
                                // built-in chains share names with no chain of ours: one map is enough
                                hooks.put(c.name(), owned("\u0000" + c.name(), ours, prev, next, keys));
                            }
                        }
                    }
                }
                if (tn.equals("filter") && t != null) {
                    addGuard(own, guarded, chains, hooks, keys, keys);
                }
                byName.put(tn, new TableState(tn, chains, hooks, Set.of()));
                nextByTable.put(tn, next);
            }
            tables.put(f, byName);
            nextSources.put(f, nextByTable);
        }
        Map<String, IpSetState> sets = new LinkedHashMap<>();
        for (IpSet s : ruleset.ipsets()) {
            IpSetState prev = memo.sets.get(s.name());
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
        memo.sources = nextSources;
        memo.sets = new HashMap<>(sets);
        FirewallState out = new FirewallState(tables, sets);
        if (keys.size() > 2 * inUse[0] + 4096) {
            keys.clear();
            out.tables().values().forEach(m -> m.values().forEach(t -> t.chains().values().forEach(
                    rules -> rules.forEach(r -> keys.put(r.text(), r.key())))));
        }
        return out;
    }

    /** The owned list of a chain: last call's when made from the same list or the same rule objects. */
    private static List<OwnedRule> owned(String chain, List<Rule> rules, Map<String, Source> prev,
                                         Map<String, Source> next, Map<String, String> keys) {
        Source s = prev.get(chain);
        List<OwnedRule> out;
        if (s != null && sameObjects(s.rendered(), rules)) {
            out = s.owned();
        } else {
            out = owned(rules, keys, keys);
        }
        next.put(chain, new Source(rules, out));
        return out;
    }

    /** The same list, or lists holding the same rule objects (reads the two arrays, not the rules). */
    private static boolean sameObjects(List<Rule> a, List<Rule> b) {
        if (a == b) {
            return true;
        }
        int n = a.size();
        if (n != b.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
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
