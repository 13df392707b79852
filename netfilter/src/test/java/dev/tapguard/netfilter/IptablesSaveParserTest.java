package dev.tapguard.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real iptables-save output (iptables 1.8.9, nft and legacy backends, with and without -c) of a host with
 * Docker's NAT and filter rules plus common host rules, captured from the kernel (dumps/host.rules was loaded with
 * iptables-restore in a namespace, then saved).
 */
class IptablesSaveParserTest {

    static String resource(String name) throws IOException {
        try (InputStream in = IptablesSaveParserTest.class.getResourceAsStream("/dumps/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-nft.save", "docker-legacy.save", "docker-nft-counters.save",
        "docker-legacy-counters.save"})
    void parsesARealDockerHostDumpWithOnlyWarningsForTheModulesItDoesNotModel(String name) throws IOException {
        SaveDump d = IptablesSaveParser.parse(resource(name));

        assertThat(d.tables()).extracting(Table::name).containsExactlyInAnyOrder("raw", "mangle", "nat", "filter");
        assertThat(d.warnings()).extracting(ParseWarning::reason).containsExactlyInAnyOrder(
                "not understood: module limit", "not understood: module addrtype",
                "not understood: module addrtype");
        assertThat(d.warnings()).allSatisfy(w -> assertThat(w.line()).isPositive());
        Table filter = d.table("filter");
        assertThat(filter.chain("FORWARD").policy()).isEqualTo("DROP");
        assertThat(filter.chain("DOCKER-USER").builtin()).isFalse();
        assertThat(filter.ruleCount()).isEqualTo(31);
        assertThat(d.table("nat").chain("DOCKER").rules().get(1).verdict().text())
                .isEqualTo("-j DNAT --to-destination 172.17.0.2:80");
        if (name.contains("counters")) {
            assertThat(filter.chain("INPUT").rules()).allSatisfy(r -> assertThat(r.counters()).isNotNull());
        }
    }

    @Test
    void everyModelledRulePrintsBackAsIptablesSavePrintedIt() throws IOException {
        SaveDump d = IptablesSaveParser.parse(resource("docker-nft.save"));
        int checked = 0;
        for (Table t : d.tables()) {
            for (Chain c : t.chains()) {
                for (Rule r : c.rules()) {
                    if (r.matches().stream().noneMatch(m -> m instanceof Match.Unknown)) {
                        assertThat(Rule.textOf(r.matches(), r.verdict())).isEqualTo(r.text());
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(38);
    }

    @Test
    void readsEachMatchAndTargetOfTheDump() throws IOException {
        SaveDump d = IptablesSaveParser.parse(resource("docker-nft.save"));
        List<Rule> input = d.table("filter").chain("INPUT").rules();
        assertThat(input.get(7).matches()).containsExactly(new Match.Protocol("udp", false),
                new Match.Not(new Match.Multiport("53,123", null)));
        assertThat(input.get(7).verdict()).isEqualTo(new Verdict.Log("--log-prefix \"odd udp: \""));
        assertThat(input.get(9).matches()).containsExactly(new Match.Mark(1, 0xff));
        assertThat(input.get(11).matches()).containsExactly(new Match.Protocol("tcp", false),
                new Match.Not(new Match.TcpFlags("FIN,SYN,RST,ACK", "SYN")),
                new Match.State(List.of("NEW"), false));
        assertThat(input.get(13).matches()).startsWith(new Match.Address(true, "10.0.0.0/255.0.255.0", true));
        assertThat(input.get(13).verdict()).isEqualTo(new Verdict.Nflog("--nflog-prefix \"low port\" --nflog-group 5"));
        assertThat(input.get(15).matches()).containsExactly(new Match.Protocol("ipip", false));
        assertThat(input.get(17).matches()).containsExactly(new Match.Fragment());
        assertThat(d.table("filter").chain("FORWARD").rules().get(6).matches()).containsExactly(
                new Match.PhysdevOptions("veth+", false, null, false, false, null, null));
        assertThat(d.table("mangle").chain("PREROUTING").rules().get(0).verdict())
                .isEqualTo(new Verdict.SetMark(1, 0xffffffffL));
        assertThat(d.table("raw").chain("PREROUTING").rules().get(1).verdict()).isEqualTo(Verdict.NOTRACK);
    }

    @Test
    void aLineItCannotReadIsAWarningWithItsLineAndTheRestStillParses() {
        SaveDump d = IptablesSaveParser.parse("""
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT
                -A INPUT -m frobnicate --level 11 -j DROP
                -A INPUT -s 10.0.0.300 -j DROP
                -A INPUT -m comment --comment "unterminated -j ACCEPT
                garbage line
                -A INPUT -p udp -j ACCEPT
                COMMIT
                """);
        assertThat(d.warnings()).extracting(ParseWarning::line).containsExactly(3, 4, 5, 6, 7);
        List<Rule> rules = d.table("filter").chain("INPUT").rules();
        assertThat(rules).hasSize(5);
        assertThat(rules.get(4).matches()).containsExactly(new Match.Protocol("udp", false));
    }

    @Test
    void readsTheIpsetSaveOfTheSameHost() throws IOException {
        IpsetDump d = IpsetSaveParser.parse(resource("ipset.save"));
        assertThat(d.warnings()).isEmpty();
        assertThat(d.sets()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("tgdx-blocklist");
            assertThat(s.members()).containsExactly("198.51.100.0/24");
        });
        assertThat(d.nomatch().get("tgdx-blocklist")).containsExactly("198.51.100.7");
    }

    @Test
    void ipsetLinesItCannotReadAreWarnings() {
        IpsetDump d = IpsetSaveParser.parse("""
                create a hash:net family inet6
                add a 10.0.0.0/8
                add b 10.0.0.1
                create p hash:ip,port family inet
                add p 10.0.0.1,tcp:80
                frob
                """);
        assertThat(d.warnings()).extracting(ParseWarning::line).containsExactly(2, 3, 4, 6);
        assertThat(d.types()).containsEntry("p", "hash:ip,port");
    }
}
