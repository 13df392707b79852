package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Pure: a state equal to {@code base} except that the guard chain drops the given ports' taps (and is hooked first). */
public final class Guard {
    private Guard() {
    }

    public static FirewallState with(FirewallState base, Ownership own, Map<String, String> guarded) {
        Map<Family, Map<String, TableState>> tables = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            Map<String, TableState> byName = new LinkedHashMap<>();
            for (String tn : FirewallState.TABLES) {
                TableState t = base.table(f, tn);
                if (tn.equals("filter")) {
                    Map<String, List<OwnedRule>> chains = new LinkedHashMap<>(t.chains());
                    List<OwnedRule> rules = new ArrayList<>();
                    Set<String> seen = new HashSet<>();
                    guarded.forEach((port, tap) -> {
                        if (seen.add(tap)) {
                            DesiredState.guardRules(port, tap).forEach(r -> rules.add(OwnedRule.of(r)));
                        }
                    });
                    chains.put(own.guardChain(), rules);
                    Map<String, List<OwnedRule>> hooks = new LinkedHashMap<>(t.hooks());
                    OwnedRule jump = OwnedRule.of(Rule.of(new Verdict.Jump(own.guardChain()),
                            Provenance.of(Provenance.Role.SKELETON)));
                    Set<String> notOnTop = new HashSet<>(t.hooksNotOnTop());
                    for (String b : List.of("FORWARD", "INPUT")) {
                        List<OwnedRule> h = new ArrayList<>(hooks.getOrDefault(b, List.of()));
                        if (h.isEmpty() || !h.get(0).equals(jump)) {
                            h.remove(jump);
                            h.add(0, jump);
                        }
                        hooks.put(b, h);
                    }
                    t = new TableState(tn, chains, hooks, notOnTop);
                }
                byName.put(tn, t);
            }
            tables.put(f, byName);
        }
        return new FirewallState(tables, base.ipsets());
    }
}
