package dev.tapguard.netfilter;

import java.util.List;
import java.util.Map;

/**
 * The sets of an {@code ipset save} (or {@code ipset list -o save}) dump: address sets ({@code hash:net},
 * {@code hash:ip}) with their members, {@code list:set} sets with their member set names, {@code nomatch} entries
 * per set, the types of the sets whose contents the evaluator does not model, and what could not be understood.
 */
public record IpsetDump(List<IpSet> sets, Map<String, String> types, Map<String, List<String>> nomatch,
                        List<ParseWarning> warnings) {

    public static final IpsetDump EMPTY = new IpsetDump(List.of(), Map.of(), Map.of(), List.of());

    public IpsetDump {
        sets = List.copyOf(sets);
        types = Map.copyOf(types);
        java.util.Map<String, List<String>> n = new java.util.LinkedHashMap<>();
        nomatch.forEach((k, v) -> n.put(k, List.copyOf(v)));
        nomatch = java.util.Collections.unmodifiableMap(n);
        warnings = List.copyOf(warnings);
    }

    /** The renderer's sets (all hash:net). */
    public static IpsetDump of(List<IpSet> sets) {
        java.util.Map<String, String> types = new java.util.LinkedHashMap<>();
        sets.forEach(s -> types.put(s.name(), "hash:net"));
        return new IpsetDump(sets, types, Map.of(), List.of());
    }
}
