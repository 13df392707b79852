package dev.tapguard.bench;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scenario of {@code shared/bench/neutron_render_bench.py}, value for value: N ports, each in {@code default}
 * (4 rules) and {@code web} (20 rules, 4 with a remote group), members = every port's IPv4 address, ipset on.
 */
public final class RenderScenario {
    private RenderScenario() {
    }

    static final String DEFAULT_SG = "0e1f2d3c-0000-4000-8000-00000000def0";
    static final String WEB_SG = "7a6b5c4d-0000-4000-8000-0000000000b1";
    static final String NET_ID = "c0ffee00-1111-4222-8333-444455556666";

    public static String portId(int i) {
        return String.format("%08x-%04x-4%03x-8%03x-%012x", 0x5f000000 + i, i & 0xffff, i & 0xfff,
                (i >> 12) & 0xfff, i);
    }

    public static String ip4(int i) {
        return "10." + (100 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
    }

    public static String mac(int i) {
        return String.format("fa:16:3e:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    }

    public static Port port(int i) {
        return new Port(portId(i), "", "bench", NET_ID, mac(i), List.of(new FixedIp(ip4(i), null)), List.of(), true,
                List.of(DEFAULT_SG, WEB_SG), "compute:nova", null, "bench-host");
    }

    private static SecurityGroupRule rule(String sg, int n, Direction d, Ethertype e, String proto, Integer min,
                                          Integer max, String prefix, String remoteGroup) {
        Remote remote = remoteGroup != null ? new Remote.Group(remoteGroup)
                : prefix != null ? new Remote.IpPrefix(prefix, prefix) : Remote.ANY;
        return new SecurityGroupRule(sg + "-r" + n, sg, "bench", d, e, proto, min, max, remote, "");
    }

    static List<SecurityGroupRule> defaultRules() {
        Direction in = Direction.INGRESS;
        Direction out = Direction.EGRESS;
        return List.of(rule(DEFAULT_SG, 0, out, Ethertype.IPv4, null, null, null, null, null),
                rule(DEFAULT_SG, 1, out, Ethertype.IPv6, null, null, null, null, null),
                rule(DEFAULT_SG, 2, in, Ethertype.IPv4, null, null, null, null, DEFAULT_SG),
                rule(DEFAULT_SG, 3, in, Ethertype.IPv6, null, null, null, null, DEFAULT_SG));
    }

    static List<SecurityGroupRule> webRules() {
        Direction in = Direction.INGRESS;
        Ethertype v4 = Ethertype.IPv4;
        Ethertype v6 = Ethertype.IPv6;
        String w = WEB_SG;
        List<SecurityGroupRule> r = new ArrayList<>();
        r.add(rule(w, r.size(), in, v4, "tcp", 22, 22, "10.0.0.0/8", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 80, 80, "0.0.0.0/0", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 443, 443, "0.0.0.0/0", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 8080, 8089, "192.168.0.0/16", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 3306, 3306, null, WEB_SG));
        r.add(rule(w, r.size(), in, v4, "tcp", 5432, 5432, null, WEB_SG));
        r.add(rule(w, r.size(), in, v4, "tcp", 6379, 6379, null, DEFAULT_SG));
        r.add(rule(w, r.size(), in, v4, "udp", 53, 53, "10.0.0.0/8", null));
        r.add(rule(w, r.size(), in, v4, "udp", 123, 123, "0.0.0.0/0", null));
        r.add(rule(w, r.size(), in, v4, "udp", 5000, 5100, "172.16.0.0/12", null));
        r.add(rule(w, r.size(), in, v4, "icmp", 8, 0, "0.0.0.0/0", null));
        r.add(rule(w, r.size(), in, v4, "icmp", null, null, "10.0.0.0/8", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 9100, 9100, "10.10.0.0/16", null));
        r.add(rule(w, r.size(), in, v4, "tcp", 30000, 32767, "10.20.0.0/16", null));
        r.add(rule(w, r.size(), in, v4, null, null, null, null, WEB_SG));
        r.add(rule(w, r.size(), in, v4, "tcp", 2379, 2380, null, WEB_SG));
        r.add(rule(w, r.size(), in, v6, "tcp", 22, 22, "2001:db8::/32", null));
        r.add(rule(w, r.size(), in, v6, "tcp", 443, 443, "::/0", null));
        r.add(rule(w, r.size(), in, v6, "ipv6-icmp", null, null, "::/0", null));
        r.add(rule(w, r.size(), Direction.EGRESS, v4, "tcp", 443, 443, "0.0.0.0/0", null));
        return r;
    }

    /** The host view of the scenario with n ports. */
    public static HostView hostView(int n) {
        List<Port> ports = new ArrayList<>(n);
        List<String> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ports.add(port(i));
            members.add(ip4(i));
        }
        Map<String, SecurityGroup> groups = new LinkedHashMap<>();
        groups.put(DEFAULT_SG, new SecurityGroup(DEFAULT_SG, "default", "", "bench", true, defaultRules()));
        groups.put(WEB_SG, new SecurityGroup(WEB_SG, "web", "", "bench", true, webRules()));
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(DEFAULT_SG, members);
        m.put(WEB_SG, members);
        return new HostView("bench-host", 1, ports, groups, m, List.of());
    }
}
