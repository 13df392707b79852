package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Family;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tapguard's part of the kernel's netfilter state: raw and filter tables per family and the ipsets. Used both for
 * what should be there (rendered) and for what the agent believes is there (predicted, or read back).
 */
public record FirewallState(Map<Family, Map<String, TableState>> tables, Map<String, IpSetState> ipsets) {

    /** Tables Tapguard manages, in the order they are written (raw first: zones before the filter rules). */
    public static final List<String> TABLES = List.of("raw", "filter");

    public FirewallState {
        Map<Family, Map<String, TableState>> t = new EnumMap<>(Family.class);
        tables.forEach((f, m) -> t.put(f, Collections.unmodifiableMap(new LinkedHashMap<>(m))));
        tables = Collections.unmodifiableMap(t);
        ipsets = Collections.unmodifiableMap(new LinkedHashMap<>(ipsets));
    }

    public static final FirewallState EMPTY = new FirewallState(Map.of(), Map.of());

    public TableState table(Family f, String name) {
        Map<String, TableState> m = tables.get(f);
        TableState t = m == null ? null : m.get(name);
        return t != null ? t : TableState.empty(name);
    }

    public int chainCount(Family f, String table) {
        return table(f, table).chains().size();
    }

    public int ruleCount(Family f, String table) {
        return table(f, table).ruleCount();
    }

    public int ipsetMemberCount() {
        int n = 0;
        for (IpSetState s : ipsets.values()) {
            n += s.members().size();
        }
        return n;
    }
}
