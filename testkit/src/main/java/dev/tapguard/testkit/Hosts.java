package dev.tapguard.testkit;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for host views in tests: plain values, no I/O. */
public final class Hosts {
    private Hosts() {
    }

    public static Port port(String id, String mac, List<String> groups, String... ips) {
        List<FixedIp> fixed = Arrays.stream(ips).map(ip -> new FixedIp(ip, null)).toList();
        return new Port(id, "", "p1", "net1", mac, fixed, List.of(), true, groups, "compute:nova", null, "host1");
    }

    public static SecurityGroup group(String id, boolean stateful, SecurityGroupRule... rules) {
        List<SecurityGroupRule> rs = new ArrayList<>();
        for (SecurityGroupRule r : rules) {
            rs.add(r.withSecurityGroupId(id));
        }
        return new SecurityGroup(id, id, "", "p1", stateful, rs);
    }

    public static SecurityGroupRule rule(String id, Direction d, Ethertype e, String protocol, Integer min,
                                         Integer max, Remote remote) {
        return new SecurityGroupRule(id, null, "p1", d, e, protocol, min, max, remote, "");
    }

    public static SecurityGroupRule ingress(String protocol, Integer min, Integer max) {
        return rule(null, Direction.INGRESS, Ethertype.IPv4, protocol, min, max, Remote.ANY);
    }

    /** A view of these ports and groups; members are the fixed IPs of the given ports plus extra addresses. */
    public static HostView view(List<Port> ports, List<SecurityGroup> groups, Map<String, List<String>> extra) {
        Map<String, SecurityGroup> g = new LinkedHashMap<>();
        groups.forEach(x -> g.put(x.id(), x));
        Map<String, List<String>> members = new LinkedHashMap<>();
        for (Port p : ports) {
            for (String sg : p.securityGroups()) {
                members.computeIfAbsent(sg, k -> new ArrayList<>()).addAll(p.fixedIpAddresses());
            }
        }
        extra.forEach((k, v) -> members.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        return new HostView("host1", 1, ports, g, members, List.of());
    }
}
