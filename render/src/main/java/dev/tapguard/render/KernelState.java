package dev.tapguard.render;

import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.SaveDump;
import java.util.EnumMap;
import java.util.Map;

/**
 * What iptables-save / ip6tables-save print on the host before Tapguard applies: foreign rules to keep, Tapguard's
 * earlier chains to replace, conntrack zones to keep. A fresh host has only the built-in chains.
 */
public record KernelState(Map<Family, SaveDump> dumps) {

    public static final String FRESH_SAVE = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            COMMIT
            """;

    public static final KernelState FRESH = of(FRESH_SAVE, FRESH_SAVE);

    public KernelState {
        dumps = java.util.Collections.unmodifiableMap(new EnumMap<>(dumps));
    }

    /** From the text of iptables-save and ip6tables-save (null = a fresh host's). */
    public static KernelState of(String ipv4Save, String ipv6Save) {
        Map<Family, SaveDump> m = new EnumMap<>(Family.class);
        m.put(Family.IPV4, IptablesSaveParser.parse(ipv4Save == null ? FRESH_SAVE : ipv4Save));
        m.put(Family.IPV6, IptablesSaveParser.parse(ipv6Save == null ? FRESH_SAVE : ipv6Save));
        return new KernelState(m);
    }

    public SaveDump dump(Family f) {
        SaveDump d = dumps.get(f);
        return d != null ? d : IptablesSaveParser.parse(FRESH_SAVE);
    }
}
