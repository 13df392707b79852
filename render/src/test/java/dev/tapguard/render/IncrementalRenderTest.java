package dev.tapguard.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Table;
import dev.tapguard.testkit.Hosts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Rendering through a {@link RenderMemo} gives exactly what a full render gives, step after step, whatever changes
 * between the steps: ports come, go and change (addresses, MAC, groups, owner), groups change rules and statefulness,
 * remote-group members change, the kernel state changes or stays the same object, options change.
 */
class IncrementalRenderTest {

    @Property(tries = 300)
    void incrementalRenderEqualsAFullRender(@ForAll("universes") Universe u, @ForAll("steps") List<Step> steps) {
        RenderMemo memo = null;
        KernelState kernel = KernelState.FRESH;
        RenderResult last = null;
        for (Step s : steps) {
            HostView view = u.view(s);
            RenderOptions opt = RenderOptions.DEFAULTS.withIpset(s.ipset).withDispatchBuckets(s.buckets);
            if (s.kernel == 1 && last != null) {
                kernel = KernelState.of(IptablesSavePrinter.print(last.ruleset().tables(Family.IPV4)),
                        IptablesSavePrinter.print(last.ruleset().tables(Family.IPV6)));
            } else if (s.kernel == 2) {
                kernel = KernelState.FRESH;
            } else if (s.kernel == 3) {
                kernel = new KernelState(kernel.dumps()); // another object, the same chains (the agent's case)
            } else if (s.kernel == 4 && last != null) {
                Map<Family, dev.tapguard.netfilter.SaveDump> dumps = new java.util.EnumMap<>(Family.class);
                for (Family f : Family.values()) {
                    dumps.put(f, new dev.tapguard.netfilter.SaveDump(last.ruleset().tables(f), List.of()));
                }
                kernel = new KernelState(dumps); // the rendered rules themselves, as the agent predicts them
            }
            RenderResult full = HybridIptablesRenderer.render(view, opt, kernel);
            Rendered inc = HybridIptablesRenderer.render(view, opt, kernel, memo);
            assertSame(inc.result(), full);
            memo = inc.memo();
            last = full;
        }
    }

    @Test
    void unchangedPortsKeepTheirRuleObjects() {
        SecurityGroup g = Hosts.group("sg-1", true, Hosts.ingress("tcp", 22, 22),
                Hosts.rule(null, Direction.INGRESS, Ethertype.IPv4, null, null, null, new Remote.Group("sg-1")));
        List<Port> ports = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ports.add(Hosts.port("port-" + i + "-0000-4000-8000-000000000000", "fa:16:3e:00:00:0" + i,
                    List.of("sg-1"), "10.0.0." + (i + 10)));
        }
        HostView v1 = Hosts.view(ports, List.of(g), Map.of());
        Rendered first = HybridIptablesRenderer.render(v1, RenderOptions.DEFAULTS, KernelState.FRESH, null);
        List<Port> more = new ArrayList<>(ports);
        more.add(Hosts.port("port-9-0000-4000-8000-000000000000", "fa:16:3e:00:00:09", List.of("sg-1"), "10.0.0.99"));
        Rendered second = HybridIptablesRenderer.render(Hosts.view(more, List.of(g), Map.of()),
                RenderOptions.DEFAULTS, KernelState.FRESH, first.memo());
        assertSame(second.result(), HybridIptablesRenderer.render(Hosts.view(more, List.of(g), Map.of()),
                RenderOptions.DEFAULTS));
        Map<String, Chain> before = chains(first.result());
        Map<String, Chain> after = chains(second.result());
        int same = 0;
        for (Map.Entry<String, Chain> e : before.entrySet()) {
            if (e.getKey().contains("-iport-") || e.getKey().contains("-oport-")) {
                assertThat(after.get(e.getKey()).rules()).as(e.getKey()).isSameAs(e.getValue().rules());
                same++;
            }
        }
        assertThat(same).isEqualTo(20); // 5 ports, i and o chains, two families
        assertThat(second.memo().portCount()).isEqualTo(6);
    }

    private static Map<String, Chain> chains(RenderResult r) {
        Map<String, Chain> out = new LinkedHashMap<>();
        for (Family f : Family.values()) {
            for (Table t : r.ruleset().tables(f)) {
                for (Chain c : t.chains()) {
                    out.put(f + " " + t.name() + " " + c.name(), c);
                }
            }
        }
        return out;
    }

    /** Equal in everything a render returns, rule provenance included. */
    static void assertSame(RenderResult got, RenderResult want) {
        for (Family f : Family.values()) {
            assertThat(IptablesSavePrinter.print(got.ruleset().tables(f)))
                    .isEqualTo(IptablesSavePrinter.print(want.ruleset().tables(f)));
            assertThat(provenance(got, f)).isEqualTo(provenance(want, f));
        }
        assertThat(got.ruleset().ipsets()).isEqualTo(want.ruleset().ipsets());
        assertThat(got.ruleset().chainPorts()).isEqualTo(want.ruleset().chainPorts());
        assertThat(new ArrayList<>(got.zones().entrySet())).isEqualTo(new ArrayList<>(want.zones().entrySet()));
        assertThat(got.trustedPorts()).isEqualTo(want.trustedPorts());
        assertThat(got.deviations()).isEqualTo(want.deviations());
    }

    private static List<String> provenance(RenderResult r, Family f) {
        List<String> out = new ArrayList<>();
        for (Table t : r.ruleset().tables(f)) {
            for (Chain c : t.chains()) {
                for (Rule rule : c.rules()) {
                    out.add(c.name() + " " + rule.provenance() + " " + rule.counters());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generators

    /** Ports and groups in two variants each, ids sharing Neutron's truncated prefixes now and then. */
    record Universe(List<Port[]> ports, List<SecurityGroup[]> groups, List<String> extraMembers) {
        HostView view(Step s) {
            List<Port> ps = new ArrayList<>();
            for (int i = 0; i < ports.size(); i++) {
                int pick = s.ports.get(i % s.ports.size());
                if (pick > 0) {
                    ps.add(ports.get(i)[pick - 1]);
                }
            }
            List<SecurityGroup> gs = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                gs.add(groups.get(i)[s.groups.get(i % s.groups.size())]);
            }
            Map<String, List<String>> extra = new LinkedHashMap<>();
            for (int i = 0; i < groups.size(); i++) {
                int n = s.members.get(i % s.members.size());
                extra.put(groups.get(i)[0].id(), extraMembers.subList(0, Math.min(n, extraMembers.size())));
            }
            return Hosts.view(ps, gs, extra);
        }
    }

    /** Per pool port 0 (absent), 1 or 2 (variant); per group its variant; members per group; kernel; ipset; buckets. */
    record Step(List<Integer> ports, List<Integer> groups, List<Integer> members, int kernel, boolean ipset,
                int buckets) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 2).list().ofSize(8),
                Arbitraries.integers().between(0, 1).list().ofSize(4),
                Arbitraries.integers().between(0, 4).list().ofSize(4),
                Arbitraries.integers().between(0, 4),
                Arbitraries.of(true, true, true, false),
                Arbitraries.of(0, 3, 64, 64)).as(Step::new);
        return step.list().ofMinSize(2).ofMaxSize(6);
    }

    private static Arbitrary<String> uuid(String... prefixes) {
        return Combinators.combine(Arbitraries.of(prefixes), Arbitraries.strings().withChars("0123456789abcdef")
                .ofLength(12)).as((p, tail) -> p + tail);
    }

    @Provide
    Arbitrary<Universe> universes() {
        Arbitrary<List<String>> gids = uuid("5e000001-0000-4000-8000-", "5e000001-0000-4000-8000-",
                "5e000002-0000-4000-8000-").list().ofMinSize(1).ofMaxSize(4).uniqueElements();
        return gids.flatMap(g -> {
            Arbitrary<List<SecurityGroup[]>> groups = Combinators.combine(g.stream().map(id -> Combinators.combine(
                    rules(g).list().ofMaxSize(5), rules(g).list().ofMaxSize(5), Arbitraries.of(true, true, false))
                    .as((a, b, stateful) -> new SecurityGroup[] {
                        Hosts.group(id, true, a.toArray(SecurityGroupRule[]::new)),
                        Hosts.group(id, stateful, b.toArray(SecurityGroupRule[]::new))})).toList()).as(l -> l);
            Arbitrary<List<Port[]>> ports = Combinators.combine(port(g), port(g)).as((a, b) -> new Port[] {a,
                b.id().equals(a.id()) ? b : withId(b, a.id())}).list().ofMinSize(1).ofMaxSize(8)
                    .uniqueElements(p -> p[0].id());
            Arbitrary<List<String>> members = Arbitraries.integers().between(2, 250)
                    .map(h -> h % 3 == 0 ? "2001:db8:9::" + Integer.toHexString(h) : "10.9.0." + h)
                    .list().ofMaxSize(4);
            return Combinators.combine(ports, groups, members).as(Universe::new);
        });
    }

    private static Port withId(Port p, String id) {
        return new Port(id, p.name(), p.projectId(), p.networkId(), p.macAddress(), p.fixedIps(),
                p.allowedAddressPairs(), p.portSecurityEnabled(), p.securityGroups(), p.deviceOwner(), p.deviceId(),
                p.bindingHostId());
    }

    private static Arbitrary<Port> port(List<String> gids) {
        Arbitrary<String> ids = uuid("aaaa0001-0000-4", "aaaa0001-0001-4", "aaaa0001-00", "bbbb0002-0000-4");
        Arbitrary<Integer> host = Arbitraries.integers().between(2, 250);
        Arbitrary<List<String>> groups = Arbitraries.of(gids).list().ofMaxSize(2).uniqueElements();
        Arbitrary<String> owner = Arbitraries.of("compute:nova", "compute:nova", "compute:nova", "network:dhcp");
        Arbitrary<Boolean> security = Arbitraries.of(true, true, true, false);
        return Combinators.combine(ids, host, groups, owner, security).as((id, h, g, o, sec) -> {
            Port p = Hosts.port(id, String.format("fa:16:3e:00:00:%02x", h), g, "10.0.0." + h,
                    "2001:db8::" + Integer.toHexString(h));
            return new Port(p.id(), p.name(), p.projectId(), p.networkId(), p.macAddress(), p.fixedIps(),
                    p.allowedAddressPairs(), sec, p.securityGroups(), o, null, "host1");
        });
    }

    private static Arbitrary<SecurityGroupRule> rules(List<String> gids) {
        return RuleArbitraries.rules(gids, "tcp", "udp", "4", "ipip", "94", "gre", "icmp", null);
    }
}
