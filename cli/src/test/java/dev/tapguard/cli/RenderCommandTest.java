package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapguard.testkit.SharedFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tapguard render}: output formats, rejected rules, bad input (exit 2, nothing on stdout), existing state. */
class RenderCommandTest {
    static final Path CASES = SharedFiles.projectRoot().resolve("render/src/test/resources/oracle");

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void printsJsonShapedLikeTheOraclesFinalPlusIpsetsAndDeviations() throws IOException {
        Run r = run("render", "--format", "json", CASES.resolve("03_ipip_4_vs_94.json").toString());
        assertThat(r.status()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.path("iptables").path("filter").get(0).asText()).isEqualTo("*filter");
        assertThat(doc.path("ip6tables").path("raw").isArray()).isTrue();
        assertThat(doc.path("ipsets").isObject()).isTrue();
        assertThat(doc.path("deviations").get(0).path("section").asInt()).isEqualTo(1);
        assertThat(r.err()).contains("SecurityGroupRuleInvalidProtocol").contains("SecurityGroupRuleExists");
    }

    @Test
    void printsIptablesSaveTextByDefault() {
        Run r = run("render", CASES.resolve("01_default_sg.json").toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("# iptables-save\n*raw\n").contains("# ip6tables-save\n")
                .contains("-A neutron-openvswi-sg-fallback -m comment --comment \"Default drop rule for unmatched "
                        + "traffic.\" -j DROP");
    }

    @Test
    void invalidJsonIsExit2WithNothingOnStdout(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad.json"), "{\"ports\": [");
        Run r = run("render", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("invalid JSON");
    }

    @Test
    void aBadAddressNamesTheField(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad.json"), """
                {"ports": [{"id": "p1", "mac_address": "fa:16:3e:00:00:01", "fixed_ips": ["10.0.0.300"]}]}""");
        Run r = run("render", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("ports[0].fixed_ips[0]").contains("10.0.0.300");
    }

    @Test
    void anUnknownStoredProtocolNamesTheField(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("bad.json"), """
                {"api_normalize": false, "security_groups": [{"id": "g1",
                  "rules": [{"direction": "ingress", "protocol": "foo"}]}]}""");
        Run r = run("render", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("security_groups[0].rules[0].protocol").contains("foo");
    }

    @Test
    void aMissingFileIsExit2() {
        Run r = run("render", "/nonexistent/host.json");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownFormatIsExit2() {
        Run r = run("render", "--format", "yaml", CASES.resolve("01_default_sg.json").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void keepsConntrackZonesFoundInTheExistingState(@TempDir Path dir) throws IOException {
        Run first = run("render", CASES.resolve("02_tcp22_icmp.json").toString());
        String state = first.out().replace("--zone 4097", "--zone 5000");
        Path f = Files.writeString(dir.resolve("state.txt"), state);
        Run again = run("render", "--format", "json", "--existing-state", f.toString(),
                CASES.resolve("02_tcp22_icmp.json").toString());
        assertThat(again.status()).isZero();
        JsonNode doc = new ObjectMapper().readTree(again.out());
        assertThat(doc.path("zones").elements().next().asInt()).isEqualTo(5000);
        assertThat(doc.path("deviations").get(0).path("section").asInt()).isEqualTo(2);
        assertThat(doc.path("iptables").path("raw").toString()).contains("--zone 5000").doesNotContain("4097");
    }
}
