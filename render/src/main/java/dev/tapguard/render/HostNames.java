package dev.tapguard.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Neutron's truncated kernel names for the ports and groups of one host, with one correction (section 11.4): where
 * two ids share the truncated prefix, the smallest id keeps Neutron's name and the others get a name whose tail is a
 * hash of the full id, so no two ports or groups ever share a chain, a device or an ipset.
 */
public final class HostNames {
    /** Neutron's LINUX_DEV_LEN: tap/qvb/qbr/qvo + 11 characters. */
    static final int DEVICE_ID_CHARS = 11;
    /** Neutron's MAX_IPTABLES_CHAIN_LEN_WRAP minus the direction letter. */
    static final int CHAIN_ID_CHARS = 10;
    /** 29 characters of set name minus "NIPv4". */
    static final int IPSET_ID_CHARS = 24;

    private final Map<String, PortNames> ports;
    private final Map<String, String> ipsetStems;
    private final List<String> collisions;

    private HostNames(Map<String, PortNames> ports, Map<String, String> ipsetStems, List<String> collisions) {
        this.ports = ports;
        this.ipsetStems = ipsetStems;
        this.collisions = collisions;
    }

    /** Names for these port ids and (remote) group ids of one host. */
    public static HostNames of(Collection<String> portIds, Collection<String> groupIds) {
        return of(portIds, groupIds, null);
    }

    /** As above, handing back {@code previous}'s objects for ports whose names did not change. */
    static HostNames of(Collection<String> portIds, Collection<String> groupIds, HostNames previous) {
        List<String> collisions = new ArrayList<>();
        Map<String, String> device = resolve(portIds, DEVICE_ID_CHARS, "port", "device name", collisions);
        Map<String, String> stem = resolve(portIds, CHAIN_ID_CHARS, "port", "chain name", collisions);
        Map<String, PortNames> ports = new LinkedHashMap<>(portIds.size() * 2);
        for (String id : portIds) {
            String d = device.get(id);
            PortNames old = previous == null ? null : previous.ports.get(id);
            if (old != null && old.tap().length() == 3 + d.length() && old.tap().endsWith(d)
                    && old.chainStem().equals(stem.get(id))) {
                ports.put(id, old);
                continue;
            }
            ports.put(id, new PortNames(id, "tap" + d, "qvb" + d, "qbr" + d, "qvo" + d, stem.get(id)));
        }
        Map<String, String> sets = resolve(groupIds, IPSET_ID_CHARS, "security group", "ipset name", collisions);
        return new HostNames(ports, sets, collisions);
    }

    /** Names of a port as Neutron derives them, without collision handling (a lone port). */
    public static PortNames neutron(String portId) {
        return new PortNames(portId, "tap" + prefix(portId, DEVICE_ID_CHARS), "qvb" + prefix(portId, DEVICE_ID_CHARS),
                "qbr" + prefix(portId, DEVICE_ID_CHARS), "qvo" + prefix(portId, DEVICE_ID_CHARS),
                prefix(portId, CHAIN_ID_CHARS));
    }

    public PortNames port(String id) {
        PortNames n = ports.get(id);
        return n != null ? n : neutron(id);
    }

    /** {@code N<ethertype><24 chars of the group id>}, the set Neutron's rules reference. */
    public String ipset(String groupId, String ethertype) {
        String stem = ipsetStems.getOrDefault(groupId, prefix(groupId, IPSET_ID_CHARS));
        return "N" + ethertype + stem;
    }

    /** One line per collision that was resolved, for the deviation report and the log. */
    public List<String> collisions() {
        return collisions;
    }

    private static Map<String, String> resolve(Collection<String> ids, int chars, String what, String kind,
                                               List<String> collisions) {
        Map<String, String> out = new HashMap<>(ids.size() * 2);
        Map<String, String> firstByPrefix = new HashMap<>(ids.size() * 2);
        Map<String, TreeSet<String>> clashes = null;
        for (String id : ids) {
            String prefix = prefix(id, chars);
            String other = firstByPrefix.putIfAbsent(prefix, id);
            if (other == null || other.equals(id)) {
                out.put(id, prefix);
            } else {
                if (clashes == null) {
                    clashes = new HashMap<>();
                }
                clashes.computeIfAbsent(prefix, k -> new TreeSet<>(List.of(other))).add(id);
            }
        }
        if (clashes != null) {
            for (Map.Entry<String, TreeSet<String>> e : clashes.entrySet()) {
                boolean first = true;
                for (String id : e.getValue()) {
                    if (first) {
                        out.put(id, e.getKey());
                        first = false;
                    } else {
                        String hashed = hashed(id, chars);
                        out.put(id, hashed);
                        collisions.add(what + " " + id + " shares the " + kind + " prefix '" + e.getKey() + "' with "
                                + e.getValue().first() + "; it gets '" + hashed + "' instead of merging with it");
                    }
                }
            }
            collisions.sort(String::compareTo);
        }
        return out;
    }

    /** The first characters of the id, then 6 hex characters of its SHA-256: as long as Neutron's prefix. */
    static String hashed(String id, int chars) {
        String hex = HexFormat.of().formatHex(sha256(id)).substring(0, 6);
        return prefix(id, chars - 6) + hex;
    }

    static String prefix(String id, int chars) {
        return id.length() <= chars ? id : id.substring(0, chars);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
