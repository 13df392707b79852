package dev.tapguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Direction;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.model.RuleRequest;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.SecurityGroupRuleValidator;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.Hook;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.RulesetEvaluator;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.PortNames;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * For random groups, ports and packets, the evaluator's verdict on the rendered ruleset equals a direct evaluation
 * of the security-group model: the whitelist of the port's groups plus Neutron's defaults
 * ({@link SecurityGroupSemantics}). Both ipset modes, stateful and stateless groups, IPv4 and IPv6.
 */
class RenderedVerdictMatchesSecurityGroupsPropertyTest {

    static final String PORT = "7a1f3c2e-9b4d-4e8f-a012-3456789abcde";
    static final String[] GROUPS = {"5e06a0a0-0006-4000-8000-00000000000a", "5e06b0b0-0006-4000-8000-00000000000b",
        "5e06c0c0-0006-4000-8000-00000000000c"};
    static final String[] MACS = {"fa:16:3e:00:00:01", "fa:16:3e:00:00:02", "FA:16:3E:AA:BB:CC"};
    static final String[] V4 = {"10.0.0.5", "10.0.0.9", "10.0.1.5", "192.0.2.10", "198.51.100.7", "0.0.0.0",
        "255.255.255.255", "10.0.1.77"};
    static final String[] V6 = {"2001:db8::5", "2001:db8::9", "2001:db8:1::5", "fe80::1", "::", "ff02::1",
        "fe80::f816:3eff:fe00:1", "ff02::16"};
    static final String[] V4_PREFIX = {"10.0.0.0/24", "10.0.0.9/32", "192.0.2.0/24", "0.0.0.0/0", "10.0.1.5/16",
        "198.51.100.0/28"};
    static final String[] V6_PREFIX = {"2001:db8::/64", "2001:db8::9/128", "fe80::/10", "::/0", "2001:db8:1::/48"};
    static final String[] PROTOS = {null, "tcp", "udp", "icmp", "4", "ipip", "94", "gre", "47", "sctp", "udplite",
        "dccp", "0", "6", "17"};
    static final int[] PACKET_PROTOS = {6, 17, 1, 4, 94, 47, 132, 136, 33, 58};
    static final int[] PORTS = {22, 53, 67, 68, 80, 443, 546, 547, 1000, 3000};
    static final int[] ICMP4 = {0, 3, 8, 11, 13};
    static final int[] ICMP6 = {1, 128, 129, 130, 131, 133, 134, 135, 136, 143};
    static final String[] FLAGS = {null, null, null, "SYN", "ACK", "RST", "SYN,ACK", "FIN,ACK", "PSH,ACK"};

    record Scenario(HostView view, Port port, Direction direction, Packet packet, boolean ipset, String text) {
    }

    @Property(tries = 400)
    void theVerdictOnTheRenderedRulesetIsTheSecurityGroupModelsVerdict(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        Scenario s = scenario(new Random(seed));
        RenderResult r = HybridIptablesRenderer.render(s.view(), RenderOptions.DEFAULTS.withIpset(s.ipset()));
        Evaluation ev = RulesetEvaluator.compile(r.ruleset()).evaluate(s.packet());
        boolean expected = SecurityGroupSemantics.allowed(s.view(), s.port(), s.direction(), s.packet(), s.ipset());
        net.jqwik.api.statistics.Statistics.label("verdict").collect(expected ? "allowed" : "denied");
        net.jqwik.api.statistics.Statistics.label("decided by").collect(ev.decidedBy() == null ? "-"
                : ev.decidedBy().chain().replaceAll("7a1f3c2e-9", "") + (ev.decidedBy().byPolicy() ? " policy"
                : " #" + ev.decidedBy().ruleNumber()));
        assertThat(ev.decided()).as("decided (notes %s)\n%s", ev.notes(), s.text()).isTrue();
        assertThat(ev.allowed()).as("seed %d: evaluator %s, model %s\n%s\n%s", seed, ev, expected, s.text(),
                explain(r, s)).isEqualTo(expected);
    }

    private static String explain(RenderResult r, Scenario s) {
        Tracer t = Tracer.forRuleset(r.ruleset(), s.view());
        StringBuilder sb = new StringBuilder();
        for (Evaluation.Tried tr : t.evaluator().evaluate(s.packet()).rulesTried()) {
            sb.append(tr.chain()).append(" #").append(tr.number()).append(' ').append(tr.rule().text()).append(" -> ")
                    .append(tr.matched()).append('\n');
        }
        return sb.toString();
    }

    static <T> T pick(Random rnd, T[] a) {
        return a[rnd.nextInt(a.length)];
    }

    static int pick(Random rnd, int[] a) {
        return a[rnd.nextInt(a.length)];
    }

    static Scenario scenario(Random rnd) {
        boolean stateful = rnd.nextInt(5) != 0;
        int nGroups = 1 + rnd.nextInt(3);
        List<SecurityGroup> groups = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int g = 0; g < nGroups; g++) {
            List<SecurityGroupRule> rules = new ArrayList<>();
            int n = rnd.nextInt(7);
            for (int i = 0; i < n; i++) {
                SecurityGroupRule rule = rule(rnd, GROUPS[g], g + "-" + i, nGroups);
                if (rule != null) {
                    rules.add(rule);
                    text.append("  rule ").append(rule).append('\n');
                }
            }
            groups.add(new SecurityGroup(GROUPS[g], "g" + g, "", "p", stateful, rules));
        }
        List<String> portGroups = new ArrayList<>();
        for (int g = 0; g < nGroups; g++) {
            if (g == 0 || rnd.nextBoolean()) {
                portGroups.add(GROUPS[g]);
            }
        }
        String mac = pick(rnd, MACS);
        List<FixedIp> ips = new ArrayList<>();
        int ipChoice = rnd.nextInt(8);
        if (ipChoice != 0 && ipChoice != 7) {
            if (ipChoice != 2) {
                ips.add(new FixedIp("10.0.0.5", "s4"));
            }
            if (ipChoice >= 2) {
                ips.add(new FixedIp("2001:db8::5", "s6"));
            }
        }
        List<AllowedAddressPair> aaps = new ArrayList<>();
        if (rnd.nextInt(4) == 0) {
            String[] choices = {"10.0.1.77", "10.0.1.0/24", "2001:db8:1::5", "192.0.2.10"};
            aaps.add(new AllowedAddressPair(pick(rnd, choices), rnd.nextBoolean() ? null : "fa:16:3e:00:00:99"));
        }
        Port port = new Port(PORT, "p", "p", "net1", mac, ips, aaps, true, portGroups, "compute:nova", "vm",
                "host1");
        // members: the port itself and another port on another host
        Map<String, List<String>> members = new LinkedHashMap<>();
        LinkedHashSet<String> other = new LinkedHashSet<>();
        if (rnd.nextBoolean()) {
            other.add("10.0.0.9");
        }
        if (rnd.nextBoolean()) {
            other.add("2001:db8::9");
        }
        if (rnd.nextInt(6) == 0) {
            other.add("198.51.100.0/28");
        }
        String otherGroup = GROUPS[rnd.nextInt(nGroups)];
        for (SecurityGroup g : groups) {
            List<String> m = new ArrayList<>();
            if (portGroups.contains(g.id())) {
                port.fixedIpAddresses().forEach(m::add);
                aaps.forEach(a -> m.add(a.ipAddress()));
            }
            if (g.id().equals(otherGroup)) {
                m.addAll(other);
            }
            members.put(g.id(), m);
        }
        Map<String, SecurityGroup> byId = new LinkedHashMap<>();
        groups.forEach(x -> byId.put(x.id(), x));
        HostView view = new HostView("host1", 1, List.of(port), byId, members,
                List.of(new Network("net1", "n", "p", true, "vlan", "physnet1", 102)));

        Direction dir = rnd.nextBoolean() ? Direction.INGRESS : Direction.EGRESS;
        boolean v6 = rnd.nextInt(3) == 0;
        int proto = pick(rnd, PACKET_PROTOS);
        if (proto == 1 && v6) {
            proto = 58;
        } else if (proto == 58 && !v6) {
            proto = 1;
        }
        String ownIp = v6 ? "2001:db8::5" : "10.0.0.5";
        String[] pool = v6 ? V6 : V4;
        String src;
        String dst;
        if (dir == Direction.INGRESS) {
            src = pick(rnd, pool);
            dst = rnd.nextInt(4) == 0 ? pick(rnd, pool) : ownIp;
        } else {
            src = rnd.nextInt(4) == 0 ? pick(rnd, pool) : ownIp;
            dst = pick(rnd, pool);
        }
        Integer sport = null;
        Integer dport = null;
        Integer type = null;
        Integer code = null;
        String flags = null;
        if (proto == 6 || proto == 17 || proto == 132 || proto == 136 || proto == 33) {
            sport = pick(rnd, PORTS);
            dport = pick(rnd, PORTS);
            if (proto == 6) {
                flags = pick(rnd, FLAGS);
            }
        } else if (proto == 1 || proto == 58) {
            type = proto == 1 ? pick(rnd, ICMP4) : pick(rnd, ICMP6);
            code = rnd.nextInt(4) == 0 ? 1 : 0;
        }
        String srcMac = dir == Direction.EGRESS && rnd.nextInt(5) == 0 ? "fa:16:3e:00:00:99"
                : mac.toLowerCase(java.util.Locale.ROOT);
        CtState ct = CtState.values()[rnd.nextInt(CtState.values().length)];
        PortNames names = HostNames.of(List.of(PORT), byId.keySet()).port(PORT);
        String physIn = dir == Direction.INGRESS ? names.qvb() : names.tap();
        String physOut = dir == Direction.INGRESS ? names.tap() : names.qvb();
        Packet packet = Packet.builder().src(src).dst(dst).protocol(proto).sport(sport).dport(dport).icmp(type, code)
                .tcpFlags(flags).srcMac(srcMac).physdev(physIn, physOut).interfaces(names.qbr(), names.qbr())
                .hook(Hook.FORWARD).ct(ct).build();
        boolean ipset = rnd.nextInt(4) != 0;
        text.append("  port ").append(port).append("\n  members ").append(members).append("\n  ")
                .append(dir).append(' ').append(packet).append(" ipset=").append(ipset).append(" stateful=")
                .append(stateful);
        return new Scenario(view, port, dir, packet, ipset, text.toString());
    }

    static SecurityGroupRule rule(Random rnd, String group, String id, int nGroups) {
        boolean v6 = rnd.nextInt(3) == 0;
        String proto = pick(rnd, PROTOS);
        if (v6 && "icmp".equals(proto)) {
            proto = rnd.nextBoolean() ? "ipv6-icmp" : "icmp";
        }
        Integer min = null;
        Integer max = null;
        boolean ports = proto != null && List.of("tcp", "udp", "sctp", "udplite", "dccp", "6", "17").contains(proto);
        boolean icmp = proto != null && (proto.equals("icmp") || proto.equals("ipv6-icmp"));
        if (ports && rnd.nextBoolean()) {
            int[] p = {22, 53, 67, 80, 443, 546, 1000};
            min = pick(rnd, p);
            max = rnd.nextBoolean() ? min : min + pick(rnd, new int[] {1, 100, 3000});
        } else if (icmp && rnd.nextBoolean()) {
            min = v6 ? pick(rnd, ICMP6) : pick(rnd, ICMP4);
            max = rnd.nextBoolean() ? null : rnd.nextInt(2);
        }
        String prefix = null;
        String remoteGroup = null;
        int remote = rnd.nextInt(4);
        if (remote == 1) {
            prefix = v6 ? pick(rnd, V6_PREFIX) : pick(rnd, V4_PREFIX);
        } else if (remote == 2) {
            remoteGroup = GROUPS[rnd.nextInt(nGroups)];
        }
        RuleRequest req = new RuleRequest("r" + id, group, "p", rnd.nextBoolean() ? "ingress" : "egress",
                v6 ? "IPv6" : "IPv4", true, proto, min, max, prefix, remoteGroup, null, null);
        try {
            return SecurityGroupRuleValidator.canonicalize(req);
        } catch (NeutronException e) {
            return null;
        }
    }
}
