package dev.tapguard.render;

import dev.tapguard.netfilter.Ruleset;
import java.util.List;
import java.util.Map;

/**
 * The desired netfilter state for a host: the ruleset (with provenance), the conntrack zone of every filtered
 * port (by port id), the trusted ports, the deviations from Neutron that shaped it, and the rules the API would
 * have rejected (left out).
 */
public record RenderResult(Ruleset ruleset, Map<String, Integer> zones, List<String> trustedPorts,
                           List<Deviation> deviations) {

    public RenderResult {
        zones = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(zones));
        trustedPorts = List.copyOf(trustedPorts);
        deviations = List.copyOf(deviations);
    }
}
