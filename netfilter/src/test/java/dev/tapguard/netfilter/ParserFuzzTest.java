package dev.tapguard.netfilter;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Mutated dumps (real Docker-host dumps, rendered Neutron layouts, ipset saves) never make the parsers, the
 * evaluator's compiler or an evaluation throw: what they cannot read becomes warnings and undecided rules.
 */
class ParserFuzzTest {

    static final String[] BASES = {"docker-nft.save", "docker-legacy-counters.save", "neutron-06_remote_group_ipset.txt",
        "neutron-08_allowed_address_pairs.txt", "neutron-05_ipv6_icmpv6.txt"};
    static final String[] TOKENS = {"!", "! ", "-m", "-j", "-g", "-p", "-s", "-d", "-i", "-o", "--dport", "--sport",
        "\"", "\\", "tcp", "udp", "icmp", "all", "300", "65536", "-1", "[0:0]", "[9:x]", ":", "*filter", "*raw",
        "COMMIT", "-A", "-A FORWARD", "--comment", "0x", "0xffffffffff", "/", "-", "--physdev-in", "--physdev-is-bridged",
        "\t", "ä", "--match-set", "src,dst", "--icmp-type", "any", "8/", "/8", "--ctstate", "BOGUS", "-j CT --zone x",
        "--set-xmark", "1:2:3", ",", "10.0.0.0/33", "::/129", "fe80::1/64", "--tcp-flags", "SYN", "NONE", "--syn",
        "multiport", "--dports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "iprange", "--src-range", "1.1.1.1-::1",
        "mark", "--mark", "create", "add", "hash:net", "family", "inet6", "nomatch", "list:set", "\n", "\n\n", "#",
        "-c 1 2", "-N", "LOG", "--log-prefix", "NFLOG", "REJECT", "--reject-with", "DROP", "RETURN", "ACCEPT"};

    static String resource(String n) {
        try {
            return IptablesSaveParserTest.resource(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String mutate(String text, Random rnd, int mutations) {
        StringBuilder sb = new StringBuilder(text);
        for (int m = 0; m < mutations; m++) {
            int len = sb.length();
            int at = len == 0 ? 0 : rnd.nextInt(len);
            switch (rnd.nextInt(7)) {
                case 0 -> sb.delete(at, Math.min(len, at + 1 + rnd.nextInt(20)));
                case 1 -> sb.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 2 -> sb.insert(at, " " + TOKENS[rnd.nextInt(TOKENS.length)] + " ");
                case 3 -> {
                    String[] lines = sb.toString().split("\n", -1);
                    List<String> l = new ArrayList<>(List.of(lines));
                    int i = rnd.nextInt(l.size());
                    int j = rnd.nextInt(l.size());
                    String tmp = l.get(i);
                    l.set(i, l.get(j));
                    l.set(j, tmp);
                    if (rnd.nextBoolean()) {
                        l.add(rnd.nextInt(l.size()), l.get(rnd.nextInt(l.size())));
                    }
                    sb = new StringBuilder(String.join("\n", l));
                }
                case 4 -> sb.setLength(at);
                case 5 -> {
                    if (len > 0) {
                        sb.setCharAt(at, (char) rnd.nextInt(0x3000));
                    }
                }
                default -> {
                    String[] words = sb.toString().split(" ");
                    if (words.length > 2) {
                        int i = rnd.nextInt(words.length);
                        words[i] = words[rnd.nextInt(words.length)];
                        sb = new StringBuilder(String.join(" ", words));
                    }
                }
            }
        }
        return sb.toString();
    }

    @Property(tries = 600)
    void mutatedDumpsParseCompileAndEvaluateWithoutAnException(@ForAll @LongRange(min = 0, max = 1L << 40) long seed,
                                                              @ForAll @IntRange(min = 1, max = 40) int mutations) {
        Random rnd = new Random(seed);
        String base = resource(BASES[rnd.nextInt(BASES.length)]);
        String text = mutate(base, rnd, mutations);
        assertThatCode(() -> {
            SaveDump d = IptablesSaveParser.parse(text);
            IpsetDump s = IpsetSaveParser.parse(text);
            RulesetEvaluator e = RulesetEvaluator.compile(Map.of(Family.IPV4, d.tables(), Family.IPV6, d.tables()),
                    s);
            for (int i = 0; i < 5; i++) {
                boolean v6 = rnd.nextBoolean();
                Packet p = Packet.builder().src(v6 ? "2001:db8::1" : "192.0.2.1").dst(v6 ? "fe80::2" : "10.6.0.11")
                        .protocol(new int[] {6, 17, 1, 58, 4, 94}[rnd.nextInt(6)]).sport(rnd.nextBoolean() ? 67 : null)
                        .dport(rnd.nextBoolean() ? 68 : null).icmp(rnd.nextBoolean() ? 8 : null, null)
                        .srcMac(rnd.nextBoolean() ? "fa:16:3e:00:00:01" : null)
                        .physdev(rnd.nextBoolean() ? "qvbd00d0006-66" : "tapd00d0006-66",
                                rnd.nextBoolean() ? "tapd00d0006-66" : "eth0")
                        .interfaces(rnd.nextBoolean() ? "qbr0" : null, null)
                        .ct(CtState.values()[rnd.nextInt(5)]).build();
                Evaluation ev = e.evaluate(p);
                ev.steps();
                ev.notes();
            }
            for (Table t : d.tables()) {
                for (Chain c : t.chains()) {
                    for (Rule r : c.rules()) {
                        Rule.textOf(r.matches(), r.verdict());
                    }
                }
            }
        }).doesNotThrowAnyException();
    }

    @Property(tries = 300)
    void randomTokenSoupIsOnlyWarnings(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n");
        for (int i = 0; i < 20; i++) {
            sb.append("-A INPUT");
            for (int k = rnd.nextInt(12); k > 0; k--) {
                sb.append(' ').append(TOKENS[rnd.nextInt(TOKENS.length)]);
            }
            sb.append('\n');
        }
        String text = sb.append("COMMIT\n").toString();
        assertThatCode(() -> {
            SaveDump d = IptablesSaveParser.parse(text);
            RulesetEvaluator.compile(Map.of(Family.IPV4, d.tables()), IpsetDump.EMPTY)
                    .evaluate(Packet.builder().src("1.1.1.1").dst("2.2.2.2").protocol(6).dport(22).build()).steps();
        }).doesNotThrowAnyException();
    }
}
