package dev.tapguard.render;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Conntrack zones per port, allocated as Neutron's {@code IpConntrackManager._find_open_zone} does (4097 first, then
 * the highest zone in use + 1, then the lowest gap once 65535 is used) but keyed by the full port id, so zones
 * recovered from the kernel are found again after a restart (section 11.2).
 */
final class ZoneAllocator {
    static final int ZONE_START = 4097;
    static final int MAX_ZONES = 65535;

    /** Zones recovered from the kernel (read only) and zones given since (or all of them once freed). */
    private Map<String, Integer> recovered;
    private final Map<String, Integer> given = new HashMap<>();
    /** Every zone in use; built on the first allocation (most renders allocate nothing). */
    private TreeSet<Integer> inUse;
    private final java.util.Set<String> present;

    /** Zones recovered from the kernel, and the ports that are on the host now. */
    ZoneAllocator(Map<String, Integer> recovered, java.util.Set<String> present) {
        this.present = present;
        this.recovered = recovered;
    }

    private Integer known(String portId) {
        Integer z = given.get(portId);
        return z != null ? z : recovered.get(portId);
    }

    boolean has(String portId) {
        return known(portId) != null;
    }

    int zoneOf(String portId) {
        Integer z = known(portId);
        if (z != null) {
            return z;
        }
        Integer zone = open();
        if (zone == null) {
            freeAllBut(present);
            zone = open();
            if (zone == null) {
                throw new IllegalStateException("conntrack zones exhausted: more than "
                        + (MAX_ZONES - ZONE_START + 1) + " filtered ports");
            }
        }
        given.put(portId, zone);
        inUse().add(zone);
        return zone;
    }

    private TreeSet<Integer> inUse() {
        if (inUse == null) {
            inUse = new TreeSet<>(recovered.values());
            inUse.addAll(given.values());
        }
        return inUse;
    }

    /** Forgets zones of ports that are gone, as Neutron does only when zones run out. */
    void freeAllBut(java.util.Set<String> present) {
        Map<String, Integer> all = new HashMap<>(recovered);
        all.putAll(given);
        all.keySet().retainAll(present);
        recovered = all;
        given.clear();
        inUse = new TreeSet<>(all.values());
    }

    private Integer open() {
        TreeSet<Integer> inUse = inUse();
        if (inUse.isEmpty()) {
            return ZONE_START;
        }
        int last = inUse.last();
        if (last < MAX_ZONES) {
            return Math.max(last + 1, ZONE_START);
        }
        int index = 0;
        for (int used : inUse) {
            if (used < ZONE_START) {
                continue;
            }
            if (used - index != ZONE_START) {
                return index + ZONE_START;
            }
            index++;
        }
        return null;
    }
}
