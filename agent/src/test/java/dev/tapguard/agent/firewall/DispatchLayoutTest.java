package dev.tapguard.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.agent.ViewBuilder;
import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Hook;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.RulesetEvaluator;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.PortNames;
import dev.tapguard.render.RenderOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The bucketed layout decides every packet as Neutron's flat layout does, and its names stay put. */
class DispatchLayoutTest {
    private static final String WRAP = RenderOptions.DEFAULT_WRAP;
    private static final int[] PROTOS = {6, 17, 1, 58, 4};
    private static final int[] PORTS = {22, 53, 67, 68, 80, 443, 546, 547, 3306};

    @Property(tries = 150)
    void bucketsDecideEveryPacketAsTheFlatLayoutDoes(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed,
                                                     @ForAll @IntRange(min = 1, max = 9) int buckets,
                                                     @ForAll boolean comments) {
        Random rnd = new Random(seed);
        HostView view = randomHost(rnd);
        RenderOptions opt = new RenderOptions(WRAP, rnd.nextInt(4) != 0, comments, true);
        Ruleset flat = HybridIptablesRenderer.render(view, opt).ruleset();
        Ruleset bucketed = new DispatchLayout(buckets).apply(flat, WRAP);
        assertThat(bucketed.ruleCount()).as("every rule is kept").isGreaterThanOrEqualTo(flat.ruleCount());
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

    private static String decider(Evaluation e) {
        Evaluation.Decision d = e.decidedBy();
        return d == null ? null : d.byPolicy() ? d.chain() + " policy " + d.policy() : d.rule().text();
    }

    @Test
    void bucketNamesFitIptablesAndAreNeverNeutronsNames() {
        for (String stem : List.of("FORWARD", "INPUT", "sg-chain", "PREROUTING")) {
            for (int b = 0; b < DispatchLayout.BUCKETS; b++) {
                String name = DispatchLayout.bucketChain(WRAP, stem, b);
                assertThat(name.length()).as(name).isLessThanOrEqualTo(28);
                assertThat(DispatchLayout.isBucket(name)).as(name).isTrue();
            }
        }
        PortNames n = HostNames.neutron("5f000000-0000-4000-8000-000000000000");
        for (String c : List.of(WRAP + "-FORWARD", WRAP + "-INPUT", WRAP + "-sg-chain", WRAP + "-PREROUTING",
                WRAP + "-sg-fallback", WRAP + "-local", WRAP + "-OUTPUT", n.chain(WRAP, 'i'), n.chain(WRAP, 'o'),
                n.chain(WRAP, 's'), "FORWARD", "neutron-filter-top")) {
            assertThat(DispatchLayout.isBucket(c)).as(c).isFalse();
        }
    }

    @Test
    void aPortsBucketNeverChanges() {
        // pinned (zlib.crc32(id) % 64): a different hash would move every port's rules on upgrade
        assertThat(DispatchLayout.BUCKETED.bucketOf("7a1f3c2e-9b4d-4e8f-a012-3456789abcde")).isEqualTo(62);
        assertThat(DispatchLayout.BUCKETED.bucketOf("5f000000-0000-4000-8000-000000000000")).isEqualTo(0);
    }

    @Test
    void theTailStaysLastAndRulesWithoutAPortStayInTheChain() {
        String sg = WRAP + "-sg-chain";
        Rule portless = Rule.of(new Verdict.Jump(WRAP + "-ix"), Provenance.of(Provenance.Role.PORT_DISPATCH),
                new dev.tapguard.netfilter.Match.Physdev(null, "tapx", true, false, false));
        Rule a = Rule.of(new Verdict.Jump(WRAP + "-ia"), Provenance.port("port-a", Provenance.Role.PORT_DISPATCH),
                new dev.tapguard.netfilter.Match.Physdev(null, "tapa", true, false, false));
        Rule accept = Rule.of(Verdict.ACCEPT, Provenance.of(Provenance.Role.SKELETON));
        Rule late = Rule.of(new Verdict.Jump(WRAP + "-ib"), Provenance.port("port-b", Provenance.Role.PORT_DISPATCH),
                new dev.tapguard.netfilter.Match.Physdev(null, "tapb", true, false, false));
        Map<String, List<Rule>> out = new DispatchLayout(4).split(WRAP, sg, List.of(portless, a, accept, late),
                new HashMap<>());
        List<Rule> parent = out.get(sg);
        assertThat(parent.get(0)).isSameAs(portless);
        assertThat(parent.subList(parent.size() - 2, parent.size())).containsExactly(accept, late);
        assertThat(out).hasSize(2);
        String bucket = new ArrayList<>(out.keySet()).get(1);
        assertThat(out.get(bucket)).containsExactly(a);
        assertThat(parent.get(1).verdict()).isEqualTo(new Verdict.Jump(bucket));
        assertThat(DispatchLayout.FLAT.split(WRAP, sg, List.of(a, accept), new HashMap<>()))
                .containsExactly(Map.entry(sg, List.of(a, accept)));
    }

    // ------------------------------------------------------------------ random hosts and probes

    private static HostView randomHost(Random rnd) {
        ViewBuilder v = new ViewBuilder("h1").defaultGroup("sg-default");
        v.group("sg-web", ViewBuilder.ingress("tcp", 22, 22), ViewBuilder.ingress("tcp", 80, 80),
                ViewBuilder.rule(Direction.INGRESS, Ethertype.IPv4, "udp", 53, 53, new Remote.Group("sg-web")),
                ViewBuilder.rule(Direction.EGRESS, Ethertype.IPv4, "tcp", 443, 443, Remote.ANY));
        v.member("sg-web", "192.0.2.7");
        HostView base = null;
        int n = 2 + rnd.nextInt(14);
        for (int i = 0; i < n; i++) {
            String[] groups = rnd.nextBoolean() ? new String[] {"sg-default"} : new String[] {"sg-default", "sg-web"};
            v.port(String.format("%08x-0000-4000-8000-%012x", rnd.nextInt(), i), "vm" + i, "net1",
                    String.format("fa:16:3e:00:01:%02x", i), List.of("10.1.0." + (10 + i), "2001:db8::" + (10 + i)),
                    groups);
        }
        base = v.build();
        List<Port> ports = new ArrayList<>();
        for (Port p : base.ports()) {
            int kind = rnd.nextInt(8);
            String owner = kind == 0 ? "network:dhcp" : p.deviceOwner();
            Boolean security = kind == 1 ? Boolean.FALSE : p.portSecurityEnabled();
            List<AllowedAddressPair> aaps = kind == 2 ? List.of(new AllowedAddressPair("10.1.9.0/24", null))
                    : p.allowedAddressPairs();
            List<FixedIp> ips = kind == 3 ? List.of() : p.fixedIps();
            ports.add(new Port(p.id(), p.name(), p.projectId(), p.networkId(), p.macAddress(), ips, aaps, security,
                    p.securityGroups(), owner, p.deviceId(), p.bindingHostId()));
        }
        return new HostView(base.host(), base.revision(), ports, base.securityGroups(), base.members(),
                base.networks());
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
    void bucketedRulesetKeepsEveryChainOfTheFlatOne() {
        ViewBuilder v = new ViewBuilder("h1").defaultGroup("sg-default");
        for (int i = 0; i < 30; i++) {
            v.port(ViewBuilder.uuid(), "vm" + i, "net1", String.format("fa:16:3e:00:01:%02x", i),
                    List.of("10.1.0." + (10 + i)), "sg-default");
        }
        Ruleset flat = HybridIptablesRenderer.render(v.build(), RenderOptions.DEFAULTS).ruleset();
        Ruleset bucketed = DispatchLayout.BUCKETED.apply(flat, WRAP);
        for (Family f : Family.values()) {
            for (Table t : flat.tables(f)) {
                Table bt = bucketed.table(f, t.name());
                for (Chain c : t.chains()) {
                    assertThat(bt.chain(c.name())).as(c.name()).isNotNull();
                }
                int dispatch = 0;
                for (Chain c : bt.chains()) {
                    if (DispatchLayout.isBucket(c.name())) {
                        dispatch += c.rules().size();
                        assertThat(c.rules()).allMatch(DispatchLayout::deviceRule);
                    }
                }
                assertThat(dispatch).as("%s %s rules in buckets", f, t.name()).isPositive();
            }
        }
    }
}
