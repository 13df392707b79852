package dev.tapguard.trace;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Cidr;
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

/** Builds host views for tests, the way the API would store them. */
final class Views {
    private Views() {
    }

    static SecurityGroupRule rule(String id, String group, Direction d, Ethertype e, String proto, Integer min,
                                  Integer max, Remote remote) {
        return new SecurityGroupRule(id, group, "p", d, e, proto, min, max, remote, null);
    }

    static Remote prefix(String p) {
        Cidr c = Cidr.parse(p);
        return new Remote.IpPrefix(c.text(), c.normalized());
    }

    /** Neutron's default egress rules for a group. */
    static List<SecurityGroupRule> defaultEgress(String group) {
        return List.of(rule(group + "-e4", group, Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY),
                rule(group + "-e6", group, Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
    }

    static SecurityGroup group(String id, boolean stateful, List<SecurityGroupRule> rules) {
        return new SecurityGroup(id, "sg-" + id.substring(0, 8), "", "p", stateful, rules);
    }

    static Port port(String id, String mac, List<String> ips, List<String> groups) {
        List<FixedIp> f = new ArrayList<>();
        ips.forEach(ip -> f.add(new FixedIp(ip, "subnet")));
        return new Port(id, "port", "p", "net1", mac, f, List.<AllowedAddressPair>of(), true, groups,
                "compute:nova", "vm", "host1");
    }

    static HostView view(List<Port> ports, List<SecurityGroup> groups, Map<String, List<String>> members) {
        Map<String, SecurityGroup> g = new LinkedHashMap<>();
        groups.forEach(x -> g.put(x.id(), x));
        return new HostView("host1", 1, ports, g, members,
                List.of(new Network("net1", "net", "p", true, "vlan", "physnet1", 102)));
    }
}
