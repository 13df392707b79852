package dev.tapguard.agent.plumbing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Local VLAN ids on br-int, one per network on this host (1..4094, lowest free first; 4095 is the dead VLAN of
 * ports that must not pass traffic). Pure; the agent persists the map in br-int's external_ids so a network keeps
 * its id across agent restarts.
 */
public final class LocalVlans {
    public static final int DEAD_VLAN = 4095;
    private final Map<String, Integer> byNetwork = new HashMap<>();
    private final TreeSet<Integer> used = new TreeSet<>();

    public LocalVlans(Map<String, Integer> recovered) {
        recovered.forEach((net, vid) -> {
            if (vid >= 1 && vid < DEAD_VLAN && used.add(vid)) {
                byNetwork.put(net, vid);
            }
        });
    }

    public Integer get(String networkId) {
        return byNetwork.get(networkId);
    }

    /** The network's id, allocating the lowest free one if it has none. */
    public int allocate(String networkId) {
        Integer v = byNetwork.get(networkId);
        if (v != null) {
            return v;
        }
        for (int vid = 1; vid < DEAD_VLAN; vid++) {
            if (!used.contains(vid)) {
                used.add(vid);
                byNetwork.put(networkId, vid);
                return vid;
            }
        }
        throw new IllegalStateException("no free local VLAN id on br-int (4094 networks in use)");
    }

    public Integer release(String networkId) {
        Integer v = byNetwork.remove(networkId);
        if (v != null) {
            used.remove(v);
        }
        return v;
    }

    public Set<String> networks() {
        return Set.copyOf(byNetwork.keySet());
    }
}
