package dev.tapguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.firewall.FirewallPlanner;
import dev.tapguard.agent.firewall.FirewallReader;
import dev.tapguard.agent.firewall.FirewallState;
import dev.tapguard.agent.firewall.OwnedRule;
import dev.tapguard.agent.firewall.Ownership;
import dev.tapguard.agent.firewall.TableState;
import dev.tapguard.agent.lab.Sh;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.netfilter.Family;
import dev.tapguard.render.DispatchBuckets;
import dev.tapguard.render.RenderOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The planner against a real kernel (iptables, ip6tables, ipset in a namespace): after every cycle the kernel holds
 * exactly the rendered state, foreign rules survive, a member change runs no iptables at all, and a restarted agent
 * rewrites nothing.
 */
@Tag("privileged")
class FirewallKernelTest {
    private String prefix;
    private String ns;
    private ProcessCommandRunner runner;

    @BeforeEach
    void setUp() {
        prefix = Sh.prefix();
        ns = prefix + "-fw";
        Sh.check("ip", "netns", "add", ns);
        runner = new ProcessCommandRunner(ns);
    }

    @AfterEach
    void tearDown() {
        Sh.deleteNamespaces(prefix);
    }

    private Agent agent() {
        return agent(DispatchBuckets.DEFAULT);
    }

    private Agent agent(int buckets) {
        AgentConfig cfg = new AgentConfig(null, "h1", false, List.of(), null, ns, null, false, null,
                RenderOptions.DEFAULTS, null, "service", 25, Duration.ofMinutes(5), Duration.ofSeconds(60));
        return new Agent(cfg, runner, buckets);
    }

    @ParameterizedTest(name = "{0} buckets")
    @ValueSource(ints = {DispatchBuckets.DEFAULT, 0})
    void kernelFollowsEveryCycleExactlyAndForeignRulesSurvive(int buckets) {
        Sh.checkIn(ns, "iptables", "-A", "FORWARD", "-s", "192.0.2.1/32", "-j", "ACCEPT");
        Sh.checkIn(ns, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "9", "-j", "DROP");
        Sh.checkIn(ns, "ip6tables", "-A", "FORWARD", "-s", "2001:db8::1/128", "-j", "ACCEPT");
        ViewBuilder v = new ViewBuilder("h1").network("net1", "vlan", "physnet1", 102).defaultGroup("sg-default")
                .group("sg-web", ViewBuilder.ingress("tcp", 22, 22), ViewBuilder.ingress("4", null, null),
                        ViewBuilder.rule(Direction.INGRESS, Ethertype.IPv4, "icmp", 8, 0, new Remote.Group("sg-web")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = ViewBuilder.uuid();
            ids.add(id);
            v.port(id, "vm" + i, "net1", String.format("fa:16:3e:00:01:%02x", i),
                    List.of("10.1.0." + (10 + i), "2001:db8:1::" + Integer.toHexString(10 + i)),
                    i % 2 == 0 ? new String[] {"sg-default"} : new String[] {"sg-default", "sg-web"});
        }
        try (Agent a = agent(buckets)) {
            assertThat(a.cycle(v.build()).ok()).isTrue();
            assertKernelIs(a.predicted());

            // one port more, one less, a rule changed: all in one cycle
            v.port(ViewBuilder.uuid(), "new", "net1", "fa:16:3e:00:02:01", List.of("10.1.0.200"), "sg-web");
            v.removePort(ids.get(3));
            v.addRule("sg-web", ViewBuilder.ingress("udp", 53, 53));
            Agent.CycleReport r = a.cycle(v.build());
            assertThat(r.ok()).isTrue();
            assertSharedChainsNotRewritten(a.lastPlan().restore().get(Family.IPV4), buckets);
            if (buckets == 0) {
                assertThat(r.stats().ruleEdits()).as("shared chains are edited, not rewritten").isPositive();
            }
            assertKernelIs(a.predicted());

            // a remote-group member on another host: ipset only
            double before = a.metrics().restoreCalls("iptables-restore");
            v.member("sg-web", "10.9.9.9");
            r = a.cycle(v.build());
            assertThat(r.ok()).isTrue();
            assertThat(a.metrics().restoreCalls("iptables-restore")).isEqualTo(before);
            assertThat(a.metrics().restoreCalls("ipset")).isPositive();
            assertThat(Sh.checkIn(ns, "ipset", "list", "NIPv4sg-web")).contains("10.9.9.9");
            assertKernelIs(a.predicted());
        }
        String v4 = Sh.checkIn(ns, "iptables-save");
        assertThat(v4).contains("-A FORWARD -s 192.0.2.1/32 -j ACCEPT", "--dport 9 -j DROP");
        assertThat(Sh.checkIn(ns, "ip6tables-save")).contains("-A FORWARD -s 2001:db8::1/128 -j ACCEPT");

        // a restarted agent reads the kernel back, keeps the zones and writes nothing
        String raw = Sh.checkIn(ns, "iptables-save", "-t", "raw");
        try (Agent again = agent(buckets)) {
            Agent.CycleReport r = again.cycle(v.build());
            assertThat(r.ok()).isTrue();
            assertThat(r.processes()).as("processes run by the restarted agent").isZero();
        }
        assertThat(Sh.checkIn(ns, "iptables-save", "-t", "raw").replaceAll("(?m)^#.*\n", ""))
                .isEqualTo(raw.replaceAll("(?m)^#.*\n", ""));
    }

    @Test
    void anAgentOnNeutronsFlatLayoutMovesTheDispatchRulesIntoBucketsAndKeepsTheZones() {
        ViewBuilder v = new ViewBuilder("h1").defaultGroup("sg-default");
        for (int i = 0; i < 12; i++) {
            v.port(ViewBuilder.uuid(), "vm" + i, "net1", String.format("fa:16:3e:00:01:%02x", i),
                    List.of("10.1.0." + (10 + i)), "sg-default");
        }
        try (Agent a = agent(0)) {
            assertThat(a.cycle(v.build()).ok()).isTrue();
            assertKernelIs(a.predicted());
        }
        String flatZones = zones(Sh.checkIn(ns, "iptables-save", "-t", "raw"));
        assertThat(flatZones.lines()).hasSize(12);
        try (Agent b = agent(DispatchBuckets.DEFAULT)) {
            assertThat(b.cycle(v.build()).ok()).isTrue();
            assertKernelIs(b.predicted());
            assertThat(b.cycle(v.build()).processes()).as("nothing left to do").isZero();
        }
        String raw = Sh.checkIn(ns, "iptables-save", "-t", "raw");
        assertThat(raw).contains(":neutron-openvswi-PRE-");
        assertThat(zones(raw)).isEqualTo(flatZones);
        try (Agent back = agent(0)) {
            assertThat(back.cycle(v.build()).ok()).isTrue();
            assertKernelIs(back.predicted());
        }
        assertThat(Sh.checkIn(ns, "iptables-save")).doesNotContain("-FWD-", "-SGC-", "-INP-");
    }

    /** "port zone" per CT rule on the tap, sorted. */
    private static String zones(String rawSave) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "--physdev-in tap\\S+ -m comment --comment \"Set zone for (\\S+)\" -j CT --zone (\\d+)")
                .matcher(rawSave);
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2));
        }
        return String.join("\n", out);
    }

    @Test
    void orphansOfAnEarlierRunAreSwept() {
        Sh.checkIn(ns, "iptables", "-N", "neutron-openvswi-iorphan000");
        Sh.checkIn(ns, "iptables", "-A", "neutron-openvswi-iorphan000", "-j", "RETURN");
        Sh.checkIn(ns, "ipset", "create", "NIPv4orphan", "hash:net");
        ViewBuilder v = new ViewBuilder("h1").defaultGroup("sg-default");
        v.port(ViewBuilder.uuid(), "vm", "net1", "fa:16:3e:00:01:01", List.of("10.1.0.10"), "sg-default");
        try (Agent a = agent()) {
            assertThat(a.cycle(v.build()).ok()).isTrue();
            assertKernelIs(a.predicted());
        }
        assertThat(Sh.checkIn(ns, "iptables-save")).doesNotContain("orphan");
        assertThat(Sh.checkIn(ns, "ipset", "list", "-n")).doesNotContain("NIPv4orphan");
    }

    /**
     * Neutron's layout: the shared dispatch chains are edited rule by rule, never flushed. Buckets: a dispatch chain
     * that is flushed and rewritten holds at most one jump per bucket (and the tail) or one bucket's rules.
     */
    private static void assertSharedChainsNotRewritten(String payload, int buckets) {
        Map<String, Integer> written = new java.util.HashMap<>();
        for (String line : payload.split("\n")) {
            if (line.startsWith("-A ")) {
                written.merge(line.split(" ")[1], 1, Integer::sum);
            }
        }
        written.forEach((chain, n) -> {
            if (FirewallPlanner.orderFree(chain)) {
                assertThat(buckets).as("%s rewritten with %d rules", chain, n).isPositive();
                assertThat(n).as(chain).isLessThanOrEqualTo(buckets + 1);
            }
        });
    }

    private void assertKernelIs(FirewallState want) {
        Ownership own = new Ownership(RenderOptions.DEFAULT_WRAP);
        FirewallState have = new FirewallReader(runner, own, Duration.ofSeconds(60)).read();
        for (Family f : Family.values()) {
            for (String t : FirewallState.TABLES) {
                TableState w = want.table(f, t);
                TableState h = have.table(f, t);
                assertThat(h.chains().keySet()).as("%s %s chains", f, t).isEqualTo(w.chains().keySet());
                w.chains().forEach((chain, rules) -> {
                    if (FirewallPlanner.orderFree(chain)) {
                        assertThat(FirewallPlanner.sameSet(h.chains().get(chain), rules)).as(chain).isTrue();
                    } else {
                        assertThat(keys(Map.of(chain, h.chains().get(chain)))).isEqualTo(keys(Map.of(chain, rules)));
                    }
                });
                assertThat(keys(h.hooks())).as("%s %s hooks", f, t).isEqualTo(keys(w.hooks()));
                assertThat(h.hooksNotOnTop()).as("%s %s hooks on top", f, t).isEmpty();
            }
        }
        assertThat(have.ipsets()).isEqualTo(want.ipsets());
    }

    private static Map<String, List<String>> keys(Map<String, List<OwnedRule>> chains) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        chains.forEach((c, rules) -> out.put(c, rules.stream().map(OwnedRule::key).toList()));
        return out;
    }

}
