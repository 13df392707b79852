package dev.tapguard.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The evaluator runs rules as compiled programs (opcodes over packed names and addresses); each rule's program
 * answers exactly what its matches, as {@link RulesetEvaluator#explain} reads them one by one, answer together:
 * on real and mutated dumps, for probes whose devices are the dump's own names, prefixes of them, unknown, long or
 * beyond Latin-1.
 */
class CompiledRulesAgreeWithTheirMatchesPropertyTest {

    /** Device prefixes, inversions and physdev's flag options, which the base dumps hardly use. */
    static final String DEVICES = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            -A FORWARD -i tap+ -j ACCEPT
            -A FORWARD ! -o qvb+ -j DROP
            -A FORWARD -i tapd00d0006-66 ! -o tapd00d0006-6 -j RETURN
            -A FORWARD -m physdev --physdev-in tap+ ! --physdev-out qvb+ -j ACCEPT
            -A FORWARD -m physdev ! --physdev-in tapd00d0006-66 --physdev-out qvbd00d0006-66 -j ACCEPT
            -A FORWARD -m physdev ! --physdev-is-bridged -j RETURN
            -A FORWARD -m physdev --physdev-is-in ! --physdev-is-out -j RETURN
            -A FORWARD -m physdev --physdev-is-out --physdev-out a-very-long-device-name+ -j RETURN
            -A FORWARD -m physdev --physdev-out tapd00d0006-66 --physdev-is-bridged -j ACCEPT
            -A FORWARD -i br-+ -o docker0 -j DROP
            -A FORWARD -i + -o a-very-long-device-name-tap0 -j DROP
            -A FORWARD -o sixteen-chars-ab -j DROP
            -A FORWARD -m physdev --physdev-in sixteen-chars-ab -j DROP
            -A INPUT -m physdev --physdev-in tapd00d0006-66 --physdev-is-bridged -j DROP
            -A INPUT -m physdev --physdev-in ta+ -j REJECT
            COMMIT
            """;

    @Property(tries = 250)
    void everyRulesProgramAgreesWithItsMatches(@ForAll @LongRange(min = 0, max = 1L << 40) long seed,
                                               @ForAll @IntRange(min = 0, max = 12) int mutations) {
        Random rnd = new Random(seed);
        String base = rnd.nextInt(3) == 0 ? DEVICES
                : ParserFuzzTest.resource(ParserFuzzTest.BASES[rnd.nextInt(ParserFuzzTest.BASES.length)]);
        String text = mutations == 0 ? base : ParserFuzzTest.mutate(base, rnd, mutations);
        SaveDump d = IptablesSaveParser.parse(text);
        RulesetEvaluator e = RulesetEvaluator.compile(Map.of(Family.IPV4, d.tables(), Family.IPV6, d.tables()),
                IpsetSaveParser.parse(text));
        List<String> devices = new ArrayList<>();
        Matcher m = Pattern.compile("(?:--physdev-(?:in|out)|-i|-o) (?:! )?(\\S+)").matcher(text);
        while (m.find()) {
            devices.add(m.group(1));
        }
        // a chain declared twice: the last declaration is the one reached by name
        Map<String, Chain> reached = new java.util.HashMap<>();
        for (Table t : d.tables()) {
            for (Chain c : t.chains()) {
                reached.put(t.name() + " " + c.name(), c);
            }
        }
        for (int i = 0; i < 6; i++) {
            Packet p = probe(rnd, devices);
            for (Table t : d.tables()) {
                for (Chain c : t.chains()) {
                    if (reached.get(t.name() + " " + c.name()) != c) {
                        continue;
                    }
                    for (int n = 1; n <= c.rules().size(); n++) {
                        Rule r = c.rules().get(n - 1);
                        int expected = Conditions.YES;
                        for (RulesetEvaluator.MatchResult x : e.explain(p.family(), r, p)) {
                            if (x.matched() == null) {
                                expected = expected == Conditions.NO ? Conditions.NO : Conditions.UNKNOWN;
                            } else if (!x.matched()) {
                                expected = Conditions.NO;
                            }
                        }
                        assertThat(e.testCompiled(p.family(), t.name(), c.name(), n, p))
                                .as("%s %s rule %d '%s' on %s", t.name(), c.name(), n, r.text(), p)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    private static Packet probe(Random rnd, List<String> devices) {
        boolean v6 = rnd.nextInt(3) == 0;
        while (true) {
            try {
                return Packet.builder().src(v6 ? "2001:db8::" + rnd.nextInt(16) : "10.0.0." + rnd.nextInt(16))
                        .dst(v6 ? "fe80::" + rnd.nextInt(4) : "192.0.2." + rnd.nextInt(4))
                        .protocol(new int[] {6, 17, 1, 58, 4, 94, 132, 0}[rnd.nextInt(8)])
                        .sport(rnd.nextInt(4) == 0 ? null : 1 + rnd.nextInt(1100))
                        .dport(rnd.nextInt(4) == 0 ? null : new int[] {22, 53, 67, 68, 80, 443}[rnd.nextInt(6)])
                        .icmp(rnd.nextBoolean() ? rnd.nextInt(140) : null, rnd.nextBoolean() ? rnd.nextInt(3) : null)
                        .tcpFlags(rnd.nextInt(3) == 0 ? "SYN" : null)
                        .srcMac(rnd.nextBoolean() ? "fa:16:3e:00:00:0" + rnd.nextInt(3) : null)
                        .physdev(device(rnd, devices), device(rnd, devices))
                        .interfaces(device(rnd, devices), device(rnd, devices))
                        .hook(rnd.nextInt(4) == 0 ? Hook.INPUT : Hook.FORWARD)
                        .ct(CtState.values()[rnd.nextInt(CtState.values().length)])
                        .mark(rnd.nextInt(3)).build();
            } catch (IllegalArgumentException e) {
                // a combination Packet refuses (e.g. INPUT with an output bridge port): draw again
            }
        }
    }

    private static String device(Random rnd, List<String> devices) {
        String d = devices.isEmpty() ? "tap0" : devices.get(rnd.nextInt(devices.size())).replace("+", "");
        return switch (rnd.nextInt(9)) {
            case 0 -> null;
            case 1 -> d + "x";
            case 2 -> d.isEmpty() ? d : d.substring(0, rnd.nextInt(d.length()));
            case 3 -> "a-very-long-device-name-" + d;
            case 4 -> d + "\u20ac";
            default -> d;
        };
    }
}
