package dev.tapguard.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesetEvaluatorTest {

    static RulesetEvaluator evaluator(String v4, String v6, String ipsets) {
        Map<Family, List<Table>> t = new java.util.EnumMap<>(Family.class);
        t.put(Family.IPV4, IptablesSaveParser.parse(v4).tables());
        if (v6 != null) {
            t.put(Family.IPV6, IptablesSaveParser.parse(v6).tables());
        }
        return RulesetEvaluator.compile(t, ipsets == null ? IpsetDump.EMPTY : IpsetSaveParser.parse(ipsets));
    }

    static final String PORT_LAYOUT = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -m physdev --physdev-in tapA -j CT --zone 4097
            -A PREROUTING -m physdev --physdev-in qvbA -j CT --zone 4097
            -A PREROUTING -m physdev --physdev-in tapS -j CT --notrack
            -A PREROUTING -m physdev --physdev-in qvbS -j CT --notrack
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :sg - [0:0]
            :iA - [0:0]
            :oA - [0:0]
            :iS - [0:0]
            :fallback - [0:0]
            -A INPUT -m physdev --physdev-in tapA --physdev-is-bridged -j oA
            -A FORWARD -m physdev --physdev-out tapA --physdev-is-bridged -j sg
            -A FORWARD -m physdev --physdev-in tapA --physdev-is-bridged -j sg
            -A FORWARD -m physdev --physdev-out tapS --physdev-is-bridged -j sg
            -A sg -m physdev --physdev-out tapA --physdev-is-bridged -j iA
            -A sg -m physdev --physdev-in tapA --physdev-is-bridged -j oA
            -A sg -m physdev --physdev-out tapS --physdev-is-bridged -j iS
            -A sg -j ACCEPT
            -A iA -m state --state RELATED,ESTABLISHED -j RETURN
            -A iA -p tcp -m tcp --dport 22 -j RETURN
            -A iA -p ipencap -j RETURN
            -A iA -m state --state INVALID -j DROP
            -A iA -j fallback
            -A oA -p udp -m udp --dport 53 -j RETURN
            -A oA -j fallback
            -A iS -m state --state RELATED,ESTABLISHED -j RETURN
            -A iS -p tcp -m tcp --dport 80 -j RETURN
            -A iS -m state --state INVALID -j DROP
            -A iS -j fallback
            -A fallback -j DROP
            COMMIT
            """;

    static Packet.Builder toA() {
        return Packet.builder().src("192.0.2.10").dst("10.0.0.5").physdev("qvbA", "tapA").interfaces("qbrA", "qbrA");
    }

    @Test
    void aProbeWalksRawThenFilterAndIsDecidedByTheRuleThatMatches() {
        RulesetEvaluator e = evaluator(PORT_LAYOUT, null, null);
        Evaluation ev = e.evaluate(toA().protocol(6).sport(40000).dport(22).build());

        assertThat(ev.outcome()).isEqualTo(Evaluation.Outcome.ACCEPT);
        assertThat(ev.zone()).isEqualTo(4097);
        assertThat(ev.decidedBy().chain()).isEqualTo("sg");
        assertThat(ev.decidedBy().ruleNumber()).isEqualTo(4);
        assertThat(ev.decided()).isTrue();
        assertThat(ev.steps()).extracting(s -> s instanceof Evaluation.Entered en ? en.table() + ":" + en.chain()
                : null).filteredOn(java.util.Objects::nonNull)
                .containsExactly("raw:PREROUTING", "filter:FORWARD", "filter:sg", "filter:iA");
        assertThat(ev.rulesTried()).filteredOn(t -> t.chain().equals("iA")).extracting(Evaluation.Tried::matched)
                .containsExactly(false, true);
    }

    @Test
    void unmatchedTrafficFallsToTheFallbackDrop() {
        Evaluation ev = evaluator(PORT_LAYOUT, null, null).evaluate(toA().protocol(94).build());
        assertThat(ev.outcome()).isEqualTo(Evaluation.Outcome.DROP);
        assertThat(ev.decidedBy().chain()).isEqualTo("fallback");
    }

    @Test
    void ipencapIsProtocolFourAndIpipIsNinetyFour() {
        RulesetEvaluator e = evaluator(PORT_LAYOUT, null, null);
        assertThat(e.evaluate(toA().protocol(4).build()).allowed()).isTrue();
        assertThat(e.evaluate(toA().protocol(94).build()).allowed()).isFalse();
    }

    @Test
    void theInvalidDropComesAfterTheUserRules() {
        RulesetEvaluator e = evaluator(PORT_LAYOUT, null, null);
        Packet rstTo22 = toA().protocol(6).sport(40000).dport(22).tcpFlags("RST").build();
        Packet rstTo23 = toA().protocol(6).sport(40000).dport(23).tcpFlags("RST").build();

        Evaluation a = e.evaluate(rstTo22);
        assertThat(a.state()).isEqualTo(CtState.INVALID);
        assertThat(a.allowed()).isTrue();
        Evaluation b = e.evaluate(rstTo23);
        assertThat(b.allowed()).isFalse();
        assertThat(b.decidedBy().rule().text()).isEqualTo("-m state --state INVALID -j DROP");
    }

    @Test
    void notrackInTheRawTableMakesThePacketUntrackedSoNeitherStateRuleMatches() {
        RulesetEvaluator e = evaluator(PORT_LAYOUT, null, null);
        Packet toS = Packet.builder().src("192.0.2.10").dst("10.0.0.6").protocol(6).sport(1).dport(9)
                .physdev("qvbS", "tapS").interfaces("qbrS", "qbrS").ct(CtState.ESTABLISHED).build();
        Evaluation ev = e.evaluate(toS);
        assertThat(ev.state()).isEqualTo(CtState.UNTRACKED);
        assertThat(ev.decidedBy().chain()).isEqualTo("fallback");
    }

    @Test
    void neighbourDiscoveryIsUntrackedWhateverStateIsAssumed() {
        String v6 = PORT_LAYOUT.replace("-p tcp -m tcp --dport 22 -j RETURN",
                "-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j RETURN");
        RulesetEvaluator e = evaluator(PORT_LAYOUT, v6, null);
        Packet ns = Packet.builder().src("fe80::1").dst("fe80::2").protocol(58).icmp(135, 0)
                .physdev("qvbA", "tapA").interfaces("qbrA", "qbrA").ct(CtState.ESTABLISHED).build();
        Evaluation ev = e.evaluate(ns);
        assertThat(ev.state()).isEqualTo(CtState.UNTRACKED);
        assertThat(ev.allowed()).isFalse();
        assertThat(ev.decidedBy().chain()).isEqualTo("fallback");
        assertThat(ev.notes()).anyMatch(n -> n.contains("never tracked"));
    }

    @Test
    void physdevIsBridgedNeverMatchesAPacketDeliveredToTheHost() {
        RulesetEvaluator e = evaluator(PORT_LAYOUT, null, null);
        Packet toHost = Packet.builder().src("10.0.0.5").dst("10.0.0.1").protocol(17).sport(5000).dport(9999)
                .physdev("tapA", null).interfaces("qbrA", null).hook(Hook.INPUT).build();
        Evaluation ev = e.evaluate(toHost);
        assertThat(ev.allowed()).isTrue();
        assertThat(ev.decidedBy().byPolicy()).isTrue();
        assertThat(ev.decidedBy().chain()).isEqualTo("INPUT");
    }

    @Test
    void runsOfPortRulesAreIndexedAndReportedAsSkipped() {
        StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < 1000; i++) {
            sb.append("-A FORWARD -m physdev --physdev-out tap").append(i).append(" --physdev-is-bridged -j ACCEPT\n");
            sb.append("-A FORWARD -m physdev --physdev-in tap").append(i).append(" --physdev-is-bridged -j DROP\n");
        }
        sb.append("COMMIT\n");
        RulesetEvaluator e = evaluator(sb.toString(), null, null);
        Evaluation in = e.evaluate(Packet.builder().src("1.1.1.1").dst("10.0.0.5").protocol(6)
                .physdev("qvb7", "tap700").build());
        assertThat(in.allowed()).isTrue();
        assertThat(in.decidedBy().ruleNumber()).isEqualTo(1401);
        assertThat(in.rulesTried()).hasSize(1);
        assertThat(in.steps()).contains(new Evaluation.Skipped("filter", "FORWARD", 1, 1400));

        Evaluation out = e.evaluate(Packet.builder().src("10.0.0.5").dst("1.1.1.1").protocol(6)
                .physdev("tap3", "qvb3").build());
        assertThat(out.decidedBy().ruleNumber()).isEqualTo(8);
        Evaluation neither = e.evaluate(Packet.builder().src("10.0.0.5").dst("1.1.1.1").protocol(6)
                .physdev("eth0", "eth1").build());
        assertThat(neither.decidedBy().byPolicy()).isTrue();
        assertThat(neither.steps()).contains(new Evaluation.Skipped("filter", "FORWARD", 1, 2000));
    }

    @Test
    void gotoReturnsToTheCallerOfTheChainThatWent() {
        RulesetEvaluator e = evaluator("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :a - [0:0]
                :b - [0:0]
                :c - [0:0]
                -A FORWARD -j a
                -A FORWARD -j DROP
                -A a -g b
                -A a -j ACCEPT
                -A b -p tcp -j c
                -A c -j RETURN
                COMMIT
                """, null, null);
        Evaluation ev = e.evaluate(Packet.builder().src("1.1.1.1").dst("2.2.2.2").protocol(6).physdev("x", "y")
                .build());
        assertThat(ev.outcome()).isEqualTo(Evaluation.Outcome.DROP);
        assertThat(ev.decidedBy().ruleNumber()).isEqualTo(2);
    }

    @Test
    void setsAreMatchedLikeTheKernelsHashNetWithNomatchExceptions() {
        RulesetEvaluator e = evaluator("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A FORWARD -m set --match-set members src -j ACCEPT
                COMMIT
                """, null, """
                create members hash:net family inet
                add members 198.51.100.0/24
                add members 198.51.100.7 nomatch
                """);
        Packet.Builder b = Packet.builder().dst("10.0.0.5").protocol(6).physdev("qvb", "tap");
        assertThat(e.evaluate(b.src("198.51.100.8").build()).allowed()).isTrue();
        assertThat(e.evaluate(b.src("198.51.100.7").build()).allowed()).isFalse();
        assertThat(e.evaluate(b.src("198.51.101.8").build()).allowed()).isFalse();
    }

    @Test
    void aRuleItCannotDecideIsTakenAsNotMatchingAndSaidSo() {
        RulesetEvaluator e = evaluator("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A FORWARD -m limit --limit 5/sec -j ACCEPT
                -A FORWARD -m set --match-set missing dst -j ACCEPT
                -A FORWARD -p tcp -m tcp --sport 1000 -j ACCEPT
                -A FORWARD -i br0 -j ACCEPT
                COMMIT
                """, null, null);
        Evaluation ev = e.evaluate(Packet.builder().src("1.1.1.1").dst("2.2.2.2").protocol(6).dport(80)
                .physdev("a", "b").build());
        assertThat(ev.allowed()).isFalse();
        assertThat(ev.decided()).isFalse();
        assertThat(ev.notes()).hasSize(4);
        assertThat(ev.notes().get(0)).contains("does not model '-m limit --limit 5/sec'");
        assertThat(ev.notes().get(1)).contains("set missing is not in the ipset dump");
        assertThat(ev.notes().get(2)).contains("source port is not given");
        assertThat(ev.notes().get(3)).contains("input interface is not known");
        assertThat(ev.rulesTried()).extracting(Evaluation.Tried::matched).containsOnlyNulls();
    }

    @Test
    void jumpLoopsEndTheWalkUndecidedInsteadOfRunningForever() {
        RulesetEvaluator e = evaluator("""
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                :a - [0:0]
                -A FORWARD -j a
                -A a -j a
                -A a -j a
                COMMIT
                """, null, null);
        Evaluation ev = e.verdict(Packet.builder().src("1.1.1.1").dst("2.2.2.2").protocol(6).physdev("a", "b")
                .build());
        assertThat(ev.decided()).isFalse();
        assertThat(ev.notes()).anyMatch(n -> n.contains("loop") || n.contains("nest deeper"));
    }

    @Test
    void aMarkSetInMangleIsSeenByFilter() {
        RulesetEvaluator e = evaluator("""
                *mangle
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A PREROUTING -p udp -j MARK --set-xmark 0x10/0xff
                COMMIT
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD DROP [0:0]
                :OUTPUT ACCEPT [0:0]
                -A FORWARD -m mark --mark 0x10/0xf0 -j ACCEPT
                COMMIT
                """, null, null);
        Packet.Builder b = Packet.builder().src("1.1.1.1").dst("2.2.2.2").physdev("a", "b");
        assertThat(e.evaluate(b.protocol(17).build()).allowed()).isTrue();
        assertThat(e.evaluate(b.protocol(6).build()).allowed()).isFalse();
    }

    @Test
    void theDockerHostDumpDecidesProbesItModels() throws java.io.IOException {
        SaveDump d = IptablesSaveParser.parse(IptablesSaveParserTest.resource("docker-nft.save"));
        RulesetEvaluator e = RulesetEvaluator.compile(Map.of(Family.IPV4, d.tables()),
                IpsetSaveParser.parse(IptablesSaveParserTest.resource("ipset.save")));
        Packet toContainer = Packet.builder().src("192.0.2.1").dst("172.17.0.2").protocol(6).sport(5555).dport(80)
                .physdev("eth0", "veth1").interfaces("eth0", "docker0").build();
        Evaluation ev = e.evaluate(toContainer);
        assertThat(ev.allowed()).isTrue();
        assertThat(ev.decidedBy().chain()).isEqualTo("DOCKER");
        assertThat(ev.notes()).anyMatch(n -> n.contains("nat table"));
        List<String> chains = new ArrayList<>();
        ev.steps().forEach(s -> {
            if (s instanceof Evaluation.Entered en) {
                chains.add(en.chain());
            }
        });
        assertThat(chains).containsExactly("PREROUTING", "PREROUTING", "FORWARD", "FORWARD", "DOCKER-USER",
                "DOCKER-ISOLATION-STAGE-1", "DOCKER");
    }
}
