package dev.tapguard.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Table;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import dev.tapguard.wire.RejectedRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every oracle case, rendered by Tapguard, equals what Neutron's real driver leaves in the kernel (golden files made
 * by scripts/gen-golden.py from shared/oracle), once the documented section-11 deviations are applied to Neutron's
 * side; and exactly those deviations are reported.
 */
class OracleGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A Neutron line that Tapguard writes differently on purpose (section 11), per case. */
    record Expected(String neutron, String tapguard) {
    }

    static final Map<String, List<Expected>> DEVIATIONS = Map.of(
            "03_ipip_4_vs_94", List.of(
                    new Expected("-s 192.0.2.0/24 -p ipip -j RETURN", "-s 192.0.2.0/24 -p ipencap -j RETURN"),
                    new Expected("-d 198.51.100.7/32 -p ipip -j RETURN", "-d 198.51.100.7/32 -p ipencap -j RETURN")),
            "legacy_db_rules", List.of(
                    // stored 'ipip' next to stored '4': both are protocol 4, so one rule remains
                    new Expected("-p ipip -j RETURN", "-p ipencap -j RETURN")),
            "10_stateless", List.of(new Expected(
                    "-m comment --comment \"Set zone for 5110b002-0002-4ccc-8ddd-0123456789ab\" -j CT --zone 4098",
                    "-m comment --comment \"Make 5110b002-0002-4ccc-8ddd-0123456789ab stateless\" -j CT --notrack")),
            "restart_on_case02_state", List.of(new Expected("-j CT --zone 4098", "-j CT --zone 4097")));

    static final Map<String, Set<Integer>> SECTIONS = Map.of(
            "03_ipip_4_vs_94", Set.of(1), "legacy_db_rules", Set.of(1), "10_stateless", Set.of(3),
            "restart_on_case02_state", Set.of(2));

    static Stream<Arguments> cases() {
        return Stream.of("01_default_sg", "02_tcp22_icmp", "03_ipip_4_vs_94", "04_udp_range_port_protocols",
                "05_ipv6_icmpv6", "06_remote_group_ipset", "07_remote_group_no_ipset", "08_allowed_address_pairs",
                "09_port_security_disabled_trusted", "10_stateless", "legacy_db_rules", "restart_on_case02_state",
                "11_no_comments_no_ipv6_no_ipset", "12_foreign_rules_kept", "13_duplicates_keep_last",
                "14_protocol_zoo")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersWhatNeutronLeavesInTheKernelExceptTheDocumentedDeviations(String name) throws IOException {
        HostInput in = HostDocuments.read(resource(name + ".json"));
        JsonNode golden = JSON.readTree(resource(name + ".golden.json"));
        RenderResult r = HybridIptablesRenderer.render(in.view(),
                new RenderOptions(RenderOptions.DEFAULT_WRAP, in.enableIpset(), in.commentRules(), in.ipv6Enabled()),
                KernelState.of(in.ipv4Save(), in.ipv6Save()));

        List<Expected> deviations = DEVIATIONS.getOrDefault(name, List.of());
        for (Family f : Family.values()) {
            for (String table : List.of("raw", "filter")) {
                JsonNode g = golden.path("final").path(f.command()).path(table);
                Table ours = r.ruleset().table(f, table);
                assertThat(chains(ours)).as("%s %s chains", f.command(), table).isEqualTo(goldenChains(g));
                assertThat(rules(ours)).as("%s %s rules", f.command(), table)
                        .isEqualTo(goldenRules(g, deviations));
            }
        }
        Map<String, List<String>> sets = new TreeMap<>();
        for (IpSet s : r.ruleset().ipsets()) {
            sets.put(s.name(), s.members().stream().sorted().toList());
        }
        Map<String, List<String>> goldenSets = new TreeMap<>();
        golden.path("ipsets").fields().forEachRemaining(e -> {
            List<String> m = new ArrayList<>();
            e.getValue().forEach(x -> m.add(x.asText()));
            goldenSets.put(e.getKey(), m);
        });
        assertThat(sets).as("ipsets").isEqualTo(goldenSets);

        Set<String> rejected = new TreeSet<>();
        for (RejectedRule rr : in.rejected()) {
            rejected.add("#" + rr.index() + " of sg " + rr.securityGroupId() + " " + rr.errorType());
        }
        Set<String> goldenRejected = new TreeSet<>();
        golden.path("notes").forEach(n -> {
            String t = n.asText();
            if (t.startsWith("API rejected rule ")) {
                String idx = t.substring("API rejected rule ".length(), t.indexOf(" ("));
                String type = t.substring(t.indexOf("): ") + 3).split(":| ")[0];
                goldenRejected.add(idx + " " + type);
            }
        });
        assertThat(rejected).as("rules the API rejects").isEqualTo(goldenRejected);

        Set<Integer> sections = new TreeSet<>();
        r.deviations().forEach(d -> sections.add(d.section()));
        assertThat(sections).as("deviations reported").isEqualTo(SECTIONS.getOrDefault(name, Set.of()));
    }

    private static Map<String, String> chains(Table t) {
        Map<String, String> m = new TreeMap<>();
        for (Chain c : t.chains()) {
            m.put(c.name(), c.policy() == null ? "-" : c.policy());
        }
        return m;
    }

    private static Map<String, List<String>> rules(Table t) {
        Map<String, List<String>> m = new TreeMap<>();
        for (Chain c : t.chains()) {
            m.put(c.name(), c.rules().stream().map(Rule::text).toList());
        }
        return m;
    }

    private static Map<String, String> goldenChains(JsonNode g) {
        Map<String, String> m = new TreeMap<>();
        g.path("chains").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** Neutron's rules with the deviations applied (a rule that then repeats within its chain is there once). */
    private static Map<String, List<String>> goldenRules(JsonNode g, List<Expected> deviations) {
        Map<String, List<String>> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = g.path("rules").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            LinkedHashSet<String> lines = new LinkedHashSet<>();
            for (JsonNode l : e.getValue()) {
                String line = l.asText();
                for (Expected d : deviations) {
                    line = line.replace(d.neutron(), d.tapguard());
                }
                lines.add(line);
            }
            m.put(e.getKey(), new ArrayList<>(lines));
        }
        return m;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = OracleGoldenTest.class.getResourceAsStream("/oracle/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /oracle/" + name + " (run scripts/gen-golden.py)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
