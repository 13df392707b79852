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

    private final Map<String, Integer> zones = new HashMap<>();
    private final TreeSet<Integer> inUse = new TreeSet<>();
    private final java.util.Set<String> present;

    /** Zones recovered from the kernel, and the ports that are on the host now. */
    ZoneAllocator(Map<String, Integer> recovered, java.util.Set<String> present) {
        this.present = present;
        recovered.forEach((port, zone) -> {
            zones.put(port, zone);
            inUse.add(zone);
        });
    }

    boolean has(String portId) {
        return zones.containsKey(portId);
    }

    int zoneOf(String portId) {
        Integer z = zones.get(portId);
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
        zones.put(portId, zone);
        inUse.add(zone);
        return zone;
    }

    /** Forgets zones of ports that are gone, as Neutron does only when zones run out. */
    void freeAllBut(java.util.Set<String> present) {
        zones.keySet().retainAll(present);
        inUse.clear();
        inUse.addAll(zones.values());
    }

    private Integer open() {
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
