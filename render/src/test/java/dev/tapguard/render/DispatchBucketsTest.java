package dev.tapguard.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Hook;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.RulesetEvaluator;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import dev.tapguard.testkit.Hosts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The bucketed layout of the dispatch chains (the agent's) decides every packet as Neutron's shared chains do, holds
 * the same rules, and its names fit iptables and stay put.
 */
class DispatchBucketsTest {
    private static final String WRAP = RenderOptions.DEFAULT_WRAP;
    private static final int[] PROTOS = {6, 17, 1, 58, 4};
    private static final int[] PORTS = {22, 53, 67, 68, 80, 443, 546, 547, 3306};

    @Property(tries = 150)
    void bucketsDecideEveryPacketAsTheSharedChainsDo(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed,
                                                     @ForAll @IntRange(min = 1, max = 9) int buckets,
                                                     @ForAll boolean comments) {
        Random rnd = new Random(seed);
        HostView view = randomHost(rnd);
        RenderOptions opt = new RenderOptions(WRAP, rnd.nextInt(4) != 0, comments, true);
        Ruleset flat = HybridIptablesRenderer.render(view, opt).ruleset();
        Ruleset bucketed = HybridIptablesRenderer.render(view, opt.withDispatchBuckets(buckets)).ruleset();
        RulesetEvaluator a = RulesetEvaluator.compile(flat);
        RulesetEvaluator b = RulesetEvaluator.compile(bucketed);
        HostNames names = HostNames.of(view.ports().stream().map(Port::id).toList(), List.of());
        for (int i = 0; i < 60; i++) {
            Packet p = probe(rnd, view, names);
            Evaluation x = a.verdict(p);
            Evaluation y = b.verdict(p);
            assertThat(y.outcome()).as("%s", p).isEqualTo(x.outcome());
            assertThat(y.zone()).as("zone of %s", p).isEqualTo(x.zone());
            assertThat(y.state()).as("state of %s", p).isEqualTo(x.state());
            assertThat(y.decided()).isEqualTo(x.decided());
            assertThat(decider(y)).as("rule that decided %s", p).isEqualTo(decider(x));
        }
    }

    @Property(tries = 100)
    void bucketsHoldTheSameRulesAndTheSharedChainsOnlyJumpsToThem(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed, @ForAll @IntRange(min = 1, max = 70)
            int buckets) {
        HostView view = randomHost(new Random(seed));
        RenderResult flat = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
        RenderResult bucketed = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS.withDispatchBuckets(buckets));
        for (Family f : Family.values()) {
            for (Table t : flat.ruleset().tables(f)) {
                Table bt = bucketed.ruleset().table(f, t.name());
                Map<String, List<String>> unbucketed = new TreeMap<>();
                for (Chain c : bt.chains()) {
                    if (DispatchBuckets.isBucket(c.name())) {
                        assertThat(c.rules()).as(c.name()).isNotEmpty();
                        continue;
                    }
                    List<String> texts = new ArrayList<>();
                    for (Rule r : c.rules()) {
                        if (r.verdict() instanceof Verdict.Jump j && DispatchBuckets.isBucket(j.chain())) {
                            assertThat(r.matches()).isEmpty();
                            bt.chain(j.chain()).rules().forEach(br -> texts.add(br.text()));
                        } else {
                            texts.add(r.text());
                        }
                    }
                    unbucketed.put(c.name(), texts);
                }
                Map<String, List<String>> want = new TreeMap<>();
                for (Chain c : t.chains()) {
                    want.put(c.name(), c.rules().stream().map(Rule::text).toList());
                }
                // the same chains, and in each the same rules (dispatch rules in another order)
                assertThat(unbucketed.keySet()).isEqualTo(want.keySet());
                want.forEach((c, rules) -> {
                    assertThat(unbucketed.get(c)).as(c).containsExactlyInAnyOrderElementsOf(rules);
                    if (!rules.isEmpty() && c.endsWith("-sg-chain")) {
                        assertThat(unbucketed.get(c).get(rules.size() - 1)).isEqualTo("-j ACCEPT");
                    }
                });
            }
        }
        assertThat(bucketed.zones()).isEqualTo(flat.zones());
        assertThat(bucketed.ruleset().ipsets()).isEqualTo(flat.ruleset().ipsets());
    }

    @Test
    void zonesAreRecoveredFromTheBuckets() {
        HostView view = randomHost(new Random(7));
        RenderOptions opt = RenderOptions.DEFAULTS.withDispatchBuckets(DispatchBuckets.DEFAULT);
        RenderResult first = HybridIptablesRenderer.render(view, opt);
        List<Port> fewer = new ArrayList<>(view.ports().subList(1, view.ports().size()));
        HostView later = new HostView(view.host(), 2, fewer, view.securityGroups(), view.members(), view.networks());
        KernelState kernel = KernelState.of(IptablesSavePrinter.print(first.ruleset().tables(Family.IPV4)),
                IptablesSavePrinter.print(first.ruleset().tables(Family.IPV6)));
        RenderResult again = HybridIptablesRenderer.render(later, opt, kernel);
        again.zones().forEach((port, zone) -> assertThat(zone).as(port).isEqualTo(first.zones().get(port)));
    }

    private static String decider(Evaluation e) {
        Evaluation.Decision d = e.decidedBy();
        return d == null ? null : d.byPolicy() ? d.chain() + " policy " + d.policy() : d.rule().text();
    }

    @Test
    void bucketNamesFitIptablesAndAreNeverNeutronsNames() {
        for (String stem : DispatchBuckets.SHORT) {
            for (int b = 0; b < DispatchBuckets.MAX; b++) {
                String name = DispatchBuckets.name(WRAP, stem, b);
                assertThat(name.length()).as(name).isLessThanOrEqualTo(28);
                assertThat(DispatchBuckets.isBucket(name)).as(name).isTrue();
            }
        }
        PortNames n = HostNames.neutron("5f000000-0000-4000-8000-000000000000");
        for (String c : List.of(WRAP + "-FORWARD", WRAP + "-INPUT", WRAP + "-sg-chain", WRAP + "-PREROUTING",
                WRAP + "-sg-fallback", WRAP + "-local", WRAP + "-OUTPUT", n.chain(WRAP, 'i'), n.chain(WRAP, 'o'),
                n.chain(WRAP, 's'), "FORWARD", "neutron-filter-top")) {
            assertThat(DispatchBuckets.isBucket(c)).as(c).isFalse();
        }
    }

    @Test
    void aPortsBucketNeverChanges() {
        // pinned (Python: zlib.crc32(id) % 64): another hash would move every port's rules on upgrade
        assertThat(DispatchBuckets.of("7a1f3c2e-9b4d-4e8f-a012-3456789abcde", 64)).isEqualTo(62);
        assertThat(DispatchBuckets.of("5f000000-0000-4000-8000-000000000000", 64)).isEqualTo(0);
    }

    @Test
    void theSharedChainsJumpToTheirBucketsInOrderAndSgChainEndsWithItsAccept() {
        List<Port> ports = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ports.add(Hosts.port(String.format("%08x-0000-4000-8000-000000000000", i * 7919), "fa:16:3e:00:00:01",
                    List.of("sg"), "10.0.0." + (i + 2)));
        }
        SecurityGroup g = Hosts.group("sg", true, Hosts.ingress("tcp", 22, 22));
        RenderResult r = HybridIptablesRenderer.render(Hosts.view(ports, List.of(g), Map.of()),
                RenderOptions.DEFAULTS.withDispatchBuckets(8));
        for (Family f : Family.values()) {
            Table filter = r.ruleset().table(f, "filter");
            List<Rule> sg = filter.chain(WRAP + "-sg-chain").rules();
            assertThat(sg).hasSize(9);
            assertThat(sg.get(8).text()).isEqualTo("-j ACCEPT");
            for (int b = 0; b < 8; b++) {
                assertThat(sg.get(b).text()).isEqualTo("-j " + WRAP + "-SGC-0" + b);
            }
            assertThat(filter.chain(WRAP + "-FORWARD").rules()).hasSize(8);
            assertThat(r.ruleset().table(f, "raw").chain(WRAP + "-PREROUTING").rules()).hasSize(8);
            int dispatch = 0;
            for (Chain c : filter.chains()) {
                if (c.name().startsWith(WRAP + "-FWD-")) {
                    dispatch += c.rules().size();
                    assertThat(c.rules()).allMatch(rule -> rule.matches().stream().anyMatch(
                            m -> m instanceof Match.Physdev));
                }
            }
            assertThat(dispatch).isEqualTo(80);
        }
    }

    // ------------------------------------------------------------------ random hosts and probes

    private static HostView randomHost(Random rnd) {
        SecurityGroup def = Hosts.group("sg-default", true,
                Hosts.rule("d1", Direction.INGRESS, Ethertype.IPv4, null, null, null, new Remote.Group("sg-default")),
                Hosts.rule("d2", Direction.INGRESS, Ethertype.IPv6, null, null, null, new Remote.Group("sg-default")),
                Hosts.rule("d3", Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY),
                Hosts.rule("d4", Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
        SecurityGroup web = Hosts.group("sg-web", rnd.nextInt(5) != 0, Hosts.ingress("tcp", 22, 22),
                Hosts.ingress("tcp", 80, 80),
                Hosts.rule("w1", Direction.INGRESS, Ethertype.IPv4, "udp", 53, 53, new Remote.Group("sg-web")),
                Hosts.rule("w2", Direction.EGRESS, Ethertype.IPv4, "tcp", 443, 443, Remote.ANY));
        List<Port> ports = new ArrayList<>();
        int n = 2 + rnd.nextInt(14);
        for (int i = 0; i < n; i++) {
            List<String> groups = rnd.nextBoolean() ? List.of("sg-default") : List.of("sg-default", "sg-web");
            Port p = Hosts.port(String.format("%08x-0000-4000-8000-%012x", rnd.nextInt(), i),
                    String.format("fa:16:3e:00:01:%02x", i), groups, "10.1.0." + (10 + i), "2001:db8::" + (10 + i));
            int kind = rnd.nextInt(8);
            String owner = kind == 0 ? "network:dhcp" : p.deviceOwner();
            Boolean security = kind == 1 ? Boolean.FALSE : p.portSecurityEnabled();
            List<AllowedAddressPair> aaps = kind == 2 ? List.of(new AllowedAddressPair("10.1.9.0/24", null))
                    : p.allowedAddressPairs();
            List<FixedIp> ips = kind == 3 ? List.of() : p.fixedIps();
            ports.add(new Port(p.id(), p.name(), p.projectId(), p.networkId(), p.macAddress(), ips, aaps, security,
                    p.securityGroups(), owner, p.deviceId(), p.bindingHostId()));
        }
        return Hosts.view(ports, List.of(def, web), Map.of("sg-web", List.of("192.0.2.7")));
    }

    private static Packet probe(Random rnd, HostView view, HostNames names) {
        List<Port> ports = view.ports();
        Port p = ports.get(rnd.nextInt(ports.size()));
        PortNames n = names.port(p.id());
        boolean v6 = rnd.nextInt(3) == 0;
        String mine = v6 ? "2001:db8::" + (10 + rnd.nextInt(20)) : "10.1.0." + (10 + rnd.nextInt(20));
        String other = v6 ? (rnd.nextBoolean() ? "2001:db8:5::1" : "fe80::1") : (rnd.nextBoolean() ? "192.0.2.7"
                : "10.1.0." + (10 + rnd.nextInt(20)));
        int proto = PROTOS[rnd.nextInt(PROTOS.length)];
        if (v6 && proto == 1) {
            proto = 58;
        } else if (!v6 && proto == 58) {
            proto = 1;
        }
        Packet.Builder b = Packet.builder().protocol(proto)
                .ct(CtState.values()[rnd.nextInt(CtState.values().length)]);
        if (proto == 6 || proto == 17) {
            b.sport(PORTS[rnd.nextInt(PORTS.length)]).dport(PORTS[rnd.nextInt(PORTS.length)]);
        } else if (proto == 1 || proto == 58) {
            b.icmp(proto == 1 ? 8 : 128 + rnd.nextInt(10), 0);
        }
        String tap = rnd.nextInt(10) == 0 ? "tapdeadbeef-00" : n.tap();
        switch (rnd.nextInt(4)) {
            case 0 -> b.src(other).dst(mine).physdev(n.qvb(), tap).interfaces(n.qbr(), n.qbr()).hook(Hook.FORWARD);
            case 1 -> b.src(mine).dst(other).physdev(tap, n.qvb()).interfaces(n.qbr(), n.qbr()).hook(Hook.FORWARD)
                    .srcMac(rnd.nextBoolean() ? p.macAddress() : "fa:16:3e:99:99:99");
            case 2 -> b.src(mine).dst(other).physdev(tap, null).interfaces(n.qbr(), null).hook(Hook.INPUT)
                    .srcMac(p.macAddress());
            default -> b.src(other).dst(mine).interfaces(n.qvb(), "eth0").hook(Hook.FORWARD);
        }
        return b.build();
    }

    @Test
    void withoutBucketsTheLayoutIsNeutrons() {
        HostView view = randomHost(new Random(3));
        Map<String, Integer> sizes = new HashMap<>();
        for (Table t : HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS).ruleset().tables(Family.IPV4)) {
            for (Chain c : t.chains()) {
                assertThat(DispatchBuckets.isBucket(c.name())).isFalse();
                sizes.put(c.name(), c.rules().size());
            }
        }
        assertThat(sizes.get(WRAP + "-sg-chain")).isGreaterThan(1);
    }
}
