package dev.tapguard.netfilter;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Netfilter state for both families plus the ipsets the rules reference. {@code chainPorts} maps a chain that
 * belongs to one port (its i/o/s chains) to that port's id, for the tracer.
 */
public record Ruleset(Map<Family, List<Table>> tables, List<IpSet> ipsets, Map<String, String> chainPorts) {

    public Ruleset {
        Map<Family, List<Table>> t = new EnumMap<>(Family.class);
        tables.forEach((k, v) -> t.put(k, List.copyOf(v)));
        tables = java.util.Collections.unmodifiableMap(t);
        ipsets = List.copyOf(ipsets);
        chainPorts = Map.copyOf(chainPorts);
    }

    public List<Table> tables(Family family) {
        return tables.getOrDefault(family, List.of());
    }

    public Table table(Family family, String name) {
        for (Table t : tables(family)) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public IpSet ipset(String name) {
        for (IpSet s : ipsets) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    public int ruleCount() {
        int n = 0;
        for (List<Table> ts : tables.values()) {
            for (Table t : ts) {
                n += t.ruleCount();
            }
        }
        return n;
    }
}
