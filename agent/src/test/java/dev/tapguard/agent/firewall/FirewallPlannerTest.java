package dev.tapguard.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.netfilter.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FirewallPlannerTest {

    private static OwnedRule r(String text) {
        return new OwnedRule(text, RuleText.key(text), null);
    }

    private static List<OwnedRule> rules(String prefix, int n) {
        List<OwnedRule> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r("-m physdev --physdev-in tap" + prefix + i + " -j RETURN"));
        }
        return out;
    }

    /** Applies -D (by spec), -I N and -A lines the way iptables-restore does. */
    static List<String> simulate(List<String> chain, List<String> edits) {
        List<String> out = new ArrayList<>(chain);
        for (String e : edits) {
            String[] w = e.split(" ", 4);
            if (w[0].equals("-D")) {
                String spec = e.substring(("-D " + w[1] + " ").length());
                assertThat(out.remove(spec)).as("delete of %s", spec).isTrue();
            } else if (w[0].equals("-I")) {
                out.add(Integer.parseInt(w[2]) - 1, w[3]);
            } else {
                out.add(e.substring(("-A " + w[1] + " ").length()));
            }
        }
        return out;
    }

    @Property(tries = 300)
    void editsTurnTheOldChainIntoTheNewOne(@ForAll @IntRange(min = 32, max = 200) int size,
                                           @ForAll @IntRange(min = 0, max = 6) int removals,
                                           @ForAll @IntRange(min = 0, max = 6) int additions,
                                           @ForAll long seed) {
        Random rnd = new Random(seed);
        List<OwnedRule> old = rules("a", size);
        List<OwnedRule> neu = new ArrayList<>(old);
        for (int i = 0; i < removals && !neu.isEmpty(); i++) {
            neu.remove(rnd.nextInt(neu.size()));
        }
        for (int i = 0; i < additions; i++) {
            neu.add(rnd.nextInt(neu.size() + 1), r("-m physdev --physdev-out new" + i + " -j DROP"));
        }
        List<String> edits = FirewallPlanner.edits("c", old, neu);
        List<String> want = neu.stream().map(OwnedRule::text).toList();
        if (edits == null) {
            assertThat(removals + additions).isGreaterThan(0);
            return;
        }
        assertThat(simulate(old.stream().map(OwnedRule::text).toList(), edits)).isEqualTo(want);
    }

    @Property(tries = 200)
    void setEditsKeepTheTailLastAndReachTheNewSet(@ForAll @IntRange(min = 0, max = 60) int size,
                                                  @ForAll @IntRange(min = 0, max = 5) int removals,
                                                  @ForAll @IntRange(min = 0, max = 5) int additions,
                                                  @ForAll long seed) {
        Random rnd = new Random(seed);
        List<OwnedRule> old = rules("a", size);
        old.add(r("-j ACCEPT"));
        List<OwnedRule> neu = new ArrayList<>(old.subList(0, size));
        for (int i = 0; i < removals && !neu.isEmpty(); i++) {
            neu.remove(rnd.nextInt(neu.size()));
        }
        for (int i = 0; i < additions; i++) {
            neu.add(rnd.nextInt(neu.size() + 1), r("-m physdev --physdev-out new" + i + " -j DROP"));
        }
        neu.add(r("-j ACCEPT"));
        List<String> got = simulate(old.stream().map(OwnedRule::text).toList(),
                FirewallPlanner.setEdits("c", old, neu));
        assertThat(got.get(got.size() - 1)).isEqualTo("-j ACCEPT");
        assertThat(got).containsExactlyInAnyOrderElementsOf(neu.stream().map(OwnedRule::text).toList());
    }

    @Test
    void oneNewPortInABigSharedChainIsTwoInsertsNotARewrite() {
        List<OwnedRule> old = rules("a", 4000);
        List<OwnedRule> neu = new ArrayList<>(old);
        neu.add(1000, r("-m physdev --physdev-out tapnew -j X"));
        neu.add(1001, r("-m physdev --physdev-in tapnew -j X"));
        TableState have = new TableState("filter", Map.of("neutron-openvswi-sg-chain", old), Map.of(), Set.of());
        TableState want = new TableState("filter", Map.of("neutron-openvswi-sg-chain", neu), Map.of(), Set.of());
        FirewallPlan p = FirewallPlanner.plan(state(want), state(have));
        assertThat(p.stats().ruleEdits()).isEqualTo(2);
        assertThat(p.stats().rulesWritten()).isZero();
        assertThat(p.restore().get(Family.IPV4)).contains("-I neutron-openvswi-sg-chain 1 ")
                .doesNotContain(":neutron-openvswi-sg-chain");
        // the same rules in another order are the same dispatch chain: nothing to write
        List<OwnedRule> shuffled = new ArrayList<>(neu);
        java.util.Collections.shuffle(shuffled, new Random(7));
        TableState again = new TableState("filter", Map.of("neutron-openvswi-sg-chain", shuffled), Map.of(), Set.of());
        assertThat(FirewallPlanner.plan(state(want), state(again)).empty()).isTrue();
    }

    @Test
    void removedChainsAreFlushedThenDeletedAndHooksGoOnTopWithoutFlushingBuiltins() {
        OwnedRule hook = r("-j neutron-openvswi-FORWARD");
        TableState have = new TableState("filter", Map.of("neutron-openvswi-igone", rules("g", 3)),
                Map.of("FORWARD", List.of(hook)), Set.of("FORWARD"));
        TableState want = new TableState("filter", Map.of("neutron-openvswi-FORWARD", List.of()),
                Map.of("FORWARD", List.of(hook)), Set.of());
        String payload = FirewallPlanner.plan(state(want), state(have)).restore().get(Family.IPV4);
        assertThat(payload).contains(":neutron-openvswi-igone - [0:0]", "-X neutron-openvswi-igone",
                "-D FORWARD -j neutron-openvswi-FORWARD", "-I FORWARD 1 -j neutron-openvswi-FORWARD")
                .doesNotContain(":FORWARD");
        assertThat(payload.indexOf("-X neutron-openvswi-igone")).isGreaterThan(payload.indexOf("-D FORWARD"));
    }

    @Test
    void nothingChangedMeansNothingToWrite() {
        TableState t = new TableState("filter", Map.of("neutron-openvswi-sg-chain", rules("a", 50)),
                Map.of("FORWARD", List.of(r("-j neutron-filter-top"))), Set.of());
        assertThat(FirewallPlanner.plan(state(t), state(t)).empty()).isTrue();
    }

    @Test
    void memberChangeTouchesOnlyTheSet() {
        TableState t = TableState.empty("filter");
        FirewallState have = new FirewallState(Map.of(Family.IPV4, Map.of("filter", t)),
                Map.of("NIPv4g", new IpSetState("NIPv4g", "inet", Set.of("10.0.0.1", "10.0.0.2"))));
        FirewallState want = new FirewallState(Map.of(Family.IPV4, Map.of("filter", t)),
                Map.of("NIPv4g", new IpSetState("NIPv4g", "inet", Set.of("10.0.0.1", "10.0.0.3"))));
        FirewallPlan p = FirewallPlanner.plan(want, have);
        assertThat(p.restore()).isEmpty();
        assertThat(p.ipsetUpdate()).isEqualTo("add NIPv4g 10.0.0.3\ndel NIPv4g 10.0.0.2\n");
        assertThat(p.shrunkSets()).containsExactly("NIPv4g");
    }

    private static FirewallState state(TableState filter) {
        return new FirewallState(Map.of(Family.IPV4, Map.of("filter", filter)), Map.of());
    }
}
