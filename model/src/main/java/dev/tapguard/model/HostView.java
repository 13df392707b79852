package dev.tapguard.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one compute host needs to enforce: the ports bound to it (in the order the feed lists them), every group
 * those ports use or reference, the member addresses of those groups (fixed IPs and allowed-address-pair IPs of
 * every port in the group, on any host, as written), and the networks of the ports.
 */
public record HostView(String host, long revision, List<Port> ports, Map<String, SecurityGroup> securityGroups,
                       Map<String, List<String>> members, List<Network> networks) {

    public HostView {
        Objects.requireNonNull(host, "host");
        ports = List.copyOf(ports);
        securityGroups = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(securityGroups));
        java.util.Map<String, List<String>> m = new java.util.LinkedHashMap<>();
        members.forEach((k, v) -> m.put(k, List.copyOf(v)));
        members = java.util.Collections.unmodifiableMap(m);
        networks = List.copyOf(networks == null ? List.of() : networks);
    }

    public SecurityGroup group(String id) {
        return securityGroups.get(id);
    }

    public List<String> membersOf(String groupId) {
        return members.getOrDefault(groupId, List.of());
    }
}
