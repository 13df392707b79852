package dev.tapguard.agent;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test helper: a host's ports, networks and groups, turned into the HostView the server would send. */
public final class ViewBuilder {
    private final String host;
    private final Map<String, Network> networks = new LinkedHashMap<>();
    private final Map<String, SecurityGroup> groups = new LinkedHashMap<>();
    private final Map<String, Port> ports = new LinkedHashMap<>();
    private final Map<String, List<String>> extraMembers = new LinkedHashMap<>();
    private long revision;

    public ViewBuilder(String host) {
        this.host = host;
    }

    public static String uuid() {
        return UUID.randomUUID().toString();
    }

    public ViewBuilder network(String id, String type, String physnet, Integer segmentationId) {
        networks.put(id, new Network(id, id, "p", true, type, physnet, segmentationId));
        return this;
    }

    public ViewBuilder group(String id, SecurityGroupRule... rules) {
        List<SecurityGroupRule> rs = new ArrayList<>();
        for (SecurityGroupRule r : rules) {
            rs.add(r.withSecurityGroupId(id));
        }
        groups.put(id, new SecurityGroup(id, id, "", "p", true, rs));
        return this;
    }

    public ViewBuilder addRule(String group, SecurityGroupRule r) {
        SecurityGroup g = groups.get(group);
        List<SecurityGroupRule> rs = new ArrayList<>(g.rules());
        rs.add(r.withSecurityGroupId(group));
        groups.put(group, g.withRules(rs));
        return this;
    }

    public ViewBuilder removeRule(String group, String ruleId) {
        SecurityGroup g = groups.get(group);
        groups.put(group, g.withRules(g.rules().stream().filter(r -> !r.id().equals(ruleId)).toList()));
        return this;
    }

    public ViewBuilder port(String id, String name, String network, String mac, List<String> ips, String... groupIds) {
        List<FixedIp> f = ips.stream().map(ip -> new FixedIp(ip, null)).toList();
        ports.put(id, new Port(id, name, "p", network, mac, f, List.of(), true, List.of(groupIds), "compute:nova",
                null, host));
        return this;
    }

    public ViewBuilder removePort(String id) {
        ports.remove(id);
        return this;
    }

    /** Members on other hosts (the server computes members over every host). */
    public ViewBuilder member(String group, String ip) {
        extraMembers.computeIfAbsent(group, k -> new ArrayList<>()).add(ip);
        return this;
    }

    public ViewBuilder removeMember(String group, String ip) {
        extraMembers.getOrDefault(group, new ArrayList<>()).remove(ip);
        return this;
    }

    public static SecurityGroupRule rule(Direction d, Ethertype e, String proto, Integer min, Integer max,
                                         Remote remote) {
        return new SecurityGroupRule(uuid(), null, "p", d, e, proto, min, max, remote, null);
    }

    public static SecurityGroupRule ingress(String proto, Integer min, Integer max) {
        return rule(Direction.INGRESS, Ethertype.IPv4, proto, min, max, Remote.ANY);
    }

    /** Neutron's default group: ingress from itself, egress anywhere, both families. */
    public ViewBuilder defaultGroup(String id) {
        return group(id,
                rule(Direction.INGRESS, Ethertype.IPv4, null, null, null, new Remote.Group(id)),
                rule(Direction.INGRESS, Ethertype.IPv6, null, null, null, new Remote.Group(id)),
                rule(Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY),
                rule(Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
    }

    public SecurityGroup groupOf(String id) {
        return groups.get(id);
    }

    public HostView build() {
        Map<String, List<String>> members = new LinkedHashMap<>();
        for (String g : groups.keySet()) {
            List<String> m = new ArrayList<>();
            for (Port p : ports.values()) {
                if (p.securityGroups().contains(g)) {
                    m.addAll(p.fixedIpAddresses());
                }
            }
            m.addAll(extraMembers.getOrDefault(g, List.of()));
            members.put(g, m);
        }
        extraMembers.forEach((g, m) -> members.putIfAbsent(g, m));
        return new HostView(host, ++revision, new ArrayList<>(ports.values()), groups, members,
                new ArrayList<>(networks.values()));
    }
}
