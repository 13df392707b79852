package dev.tapguard.agent.firewall;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tapguard's part of one table: its own chains with their rules, and per built-in chain the jumps into them (in
 * order) and whether those jumps are the first rules of that chain, as they must be.
 */
public record TableState(String name, Map<String, List<OwnedRule>> chains, Map<String, List<OwnedRule>> hooks,
                         Set<String> hooksNotOnTop) {

    public TableState {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
        hooks = Collections.unmodifiableMap(new LinkedHashMap<>(hooks));
        hooksNotOnTop = Set.copyOf(hooksNotOnTop);
    }

    public static TableState empty(String name) {
        return new TableState(name, Map.of(), Map.of(), Set.of());
    }

    public int ruleCount() {
        int n = 0;
        for (List<OwnedRule> r : chains.values()) {
            n += r.size();
        }
        for (List<OwnedRule> r : hooks.values()) {
            n += r.size();
        }
        return n;
    }
}
