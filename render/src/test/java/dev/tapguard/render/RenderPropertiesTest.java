package dev.tapguard.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Table;
import dev.tapguard.testkit.Hosts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the renderer over random hosts: determinism, and no merging of ports or groups whatever their ids. */
class RenderPropertiesTest {

    @Property(tries = 200)
    void renderingIsDeterministic(@ForAll("hosts") HostView view, @ForAll boolean ipset) {
        RenderOptions opt = RenderOptions.DEFAULTS.withIpset(ipset);
        String first = text(HybridIptablesRenderer.render(view, opt));
        String again = text(HybridIptablesRenderer.render(view, opt));
        assertThat(again).isEqualTo(first);
        // the order in which the groups and members arrive does not matter either
        assertThat(text(HybridIptablesRenderer.render(reordered(view), opt))).isEqualTo(first);
    }

    @Property(tries = 200)
    void noTwoPortsOrGroupsEverMerge(@ForAll("hosts") HostView view) {
        RenderResult r = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
        Table filter = r.ruleset().table(Family.IPV4, "filter");
        Map<String, String> chainOwner = new HashMap<>();
        Map<String, String> tapOwner = new HashMap<>();
        for (Chain c : filter.chains()) {
            for (Rule rule : c.rules()) {
                if (rule.provenance().role() == dev.tapguard.netfilter.Provenance.Role.PORT_DISPATCH
                        && rule.verdict() instanceof dev.tapguard.netfilter.Verdict.Jump j
                        && !j.chain().endsWith("sg-chain")) {
                    String port = rule.provenance().portId();
                    assertThat(chainOwner.putIfAbsent(j.chain(), port)).as(j.chain()).isIn(null, port);
                    for (Match m : rule.matches()) {
                        if (m instanceof Match.Physdev pd) {
                            String dev = pd.physdevIn() != null ? pd.physdevIn() : pd.physdevOut();
                            assertThat(tapOwner.putIfAbsent(dev, port)).as(dev).isIn(null, port);
                        }
                    }
                }
            }
        }
        long filtered = view.ports().stream().filter(p -> !p.trusted() && p.portSecurity()).count();
        assertThat(new HashSet<>(chainOwner.values())).hasSize((int) filtered);
        assertThat(r.zones().values()).doesNotHaveDuplicates();
        Set<String> setOwners = new HashSet<>();
        for (IpSet s : r.ruleset().ipsets()) {
            assertThat(setOwners.add(s.name())).isTrue();
        }
        // one set per (referenced group, family): as many names as pairs
        Set<String> pairs = new HashSet<>();
        for (SecurityGroup g : view.securityGroups().values()) {
            for (SecurityGroupRule rule : g.rules()) {
                if (rule.remoteGroupId() != null && usedByAPort(view, g.id())) {
                    pairs.add(rule.remoteGroupId() + rule.ethertype());
                }
            }
        }
        assertThat(setOwners).hasSize(pairs.size());
    }

    private static boolean usedByAPort(HostView v, String group) {
        return v.ports().stream().anyMatch(p -> !p.trusted() && p.securityGroups().contains(group));
    }

    private static String text(RenderResult r) {
        StringBuilder sb = new StringBuilder();
        for (Family f : Family.values()) {
            sb.append(IptablesSavePrinter.print(r.ruleset().tables(f)));
        }
        r.ruleset().ipsets().forEach(s -> sb.append(s).append('\n'));
        return sb.toString();
    }

    private static HostView reordered(HostView v) {
        List<String> ids = new ArrayList<>(v.securityGroups().keySet());
        Collections.reverse(ids);
        Map<String, SecurityGroup> groups = new LinkedHashMap<>();
        ids.forEach(id -> groups.put(id, v.group(id)));
        Map<String, List<String>> members = new LinkedHashMap<>();
        v.members().forEach((k, list) -> {
            List<String> l = new ArrayList<>(list);
            Collections.reverse(l);
            members.put(k, l);
        });
        return new HostView(v.host(), v.revision(), v.ports(), groups, members, v.networks());
    }

    // ------------------------------------------------------------------ generators

    /** Ids that often share Neutron's truncated prefixes (10/11 chars for ports, 24 for groups). */
    private static Arbitrary<String> uuid(String... prefixes) {
        return Combinators.combine(Arbitraries.of(prefixes), Arbitraries.strings().withChars("0123456789abcdef")
                .ofLength(12)).as((p, tail) -> p + tail);
    }

    @Provide
    Arbitrary<HostView> hosts() {
        Arbitrary<String> groupIds = uuid("5e000001-0000-4000-8000-", "5e000001-0000-4000-8000-", "5e000002-0000-4000-8000-");
        Arbitrary<List<String>> groups = groupIds.list().ofMinSize(1).ofMaxSize(4).uniqueElements();
        return groups.flatMap(gids -> {
            Arbitrary<List<SecurityGroup>> sgs = Combinators.combine(gids.stream()
                    .map(gid -> rules(gids).list().ofMaxSize(6)
                            .map(rs -> Hosts.group(gid, true, rs.toArray(SecurityGroupRule[]::new))))
                    .toList()).as(l -> l);
            Arbitrary<List<Port>> ports = port(gids).list().ofMinSize(1).ofMaxSize(6)
                    .uniqueElements(Port::id);
            return Combinators.combine(sgs, ports).as((g, p) -> Hosts.view(p, g, Map.of()));
        });
    }

    private static Arbitrary<Port> port(List<String> gids) {
        Arbitrary<String> ids = uuid("aaaa0001-0000-4", "aaaa0001-0001-4", "aaaa0001-00", "bbbb0002-0000-4");
        Arbitrary<Integer> host = Arbitraries.integers().between(2, 250);
        Arbitrary<List<String>> groups = Arbitraries.of(gids).list().ofMaxSize(2).uniqueElements();
        Arbitrary<String> owner = Arbitraries.of("compute:nova", "compute:nova", "network:dhcp");
        return Combinators.combine(ids, host, groups, owner).as((id, h, g, o) -> {
            Port p = Hosts.port(id, String.format("fa:16:3e:00:00:%02x", h), g, "10.0.0." + h,
                    "2001:db8::" + Integer.toHexString(h));
            return new Port(p.id(), p.name(), p.projectId(), p.networkId(), p.macAddress(), p.fixedIps(),
                    p.allowedAddressPairs(), p.portSecurityEnabled(), p.securityGroups(), o, null, "host1");
        });
    }

    private static Arbitrary<SecurityGroupRule> rules(List<String> gids) {
        return RuleArbitraries.rules(gids, "tcp", "udp", "4", "ipip", "94", "gre", null);
    }
}
