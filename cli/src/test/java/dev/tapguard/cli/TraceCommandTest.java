package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceCommandTest {
    @TempDir
    static Path dir;
    static Path dump;

    @BeforeAll
    static void renderTheHost() throws IOException {
        Path host = dir.resolve("host.json");
        Files.writeString(host, HostDocs.TUNNELS);
        CliRun r = CliRun.of("render", host.toString());
        assertThat(r.exit()).isZero();
        dump = dir.resolve("dump.txt");
        Files.writeString(dump, r.out());
    }

    @Test
    void deniedIpInIpNamesTheClosestRuleAndTheFixInText() {
        CliRun r = CliRun.of("trace", "--ruleset", dump.toString(), "--port", HostDocs.PORT, "--direction",
                "ingress", "--src", "192.0.2.10", "--protocol", "4");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Packet: IPv4 192.0.2.10 -> 10.3.0.5, protocol 4 (ipip)")
                .contains("filter neutron-openvswi-id00d0003-3").contains("Verdict: DENIED")
                .contains("no rule allows IP protocol 4 (ipip) ingress from 192.0.2.10")
                .contains("Linux uses 94 for BEET; IP-in-IP is 4")
                .contains("fix: openstack security group rule create --ingress --ethertype IPv4 --protocol 4 "
                        + "--remote-ip 192.0.2.10/32");
        assertThat(r.out().indexOf("Verdict:")).isGreaterThan(r.out().indexOf("filter neutron-openvswi-sg-fallback\n"));
    }

    @Test
    void jsonHasTheVerdictPathDecidingRuleAndWarnings() throws IOException {
        CliRun r = CliRun.of("trace", "--ruleset", dump.toString(), "--physdev-in", "qvbd00d0003-33",
                "--physdev-out", "tapd00d0003-33", "--src", "192.0.2.10", "--dst", "10.3.0.5", "--protocol", "tcp",
                "--sport", "40000", "--dport", "22", "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        assertThat(j.get("verdict").asText()).isEqualTo("ALLOWED");
        assertThat(j.get("path").size()).isGreaterThan(10);
        assertThat(j.get("decided_by").get("text").asText()).isEqualTo("-p tcp -m tcp --dport 22 -j RETURN");
        assertThat(j.get("decided_by").get("role").asText()).isEqualTo("security_group_rule");
        assertThat(j.has("security_group_rule_id")).isTrue();
        assertThat(j.get("warnings").isArray()).isTrue();
    }

    @Test
    void batchModeChecksEachProbeAgainstItsExpectation() throws IOException {
        Path batch = dir.resolve("probes.json");
        Files.writeString(batch, """
                [{"name": "ssh", "port": "%1$s", "direction": "ingress", "src": "192.0.2.1", "protocol": "tcp",
                  "sport": 1234, "dport": 22, "expect": "ALLOWED"},
                 {"name": "ipip", "port": "%1$s", "direction": "ingress", "src": "192.0.2.1", "protocol": "ipip",
                  "expect": "DENIED"},
                 {"name": "beet", "port": "%1$s", "direction": "ingress", "src": "192.0.2.1", "protocol": "94",
                  "expect": "DENIED"}]
                """.formatted(HostDocs.PORT));
        CliRun r = CliRun.of("trace", "--ruleset", dump.toString(), "--batch", batch.toString(), "--format", "json");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        assertThat(j.size()).isEqualTo(3);
        assertThat(j.get(2).get("verdict").asText()).isEqualTo("ALLOWED");
        assertThat(j.get(2).get("as_expected").asBoolean()).isFalse();
        assertThat(j.get(1).get("warnings").toString()).contains("'ipip' is taken as IP-in-IP, protocol 4");
        assertThat(r.err()).contains("1 of 3 probes differ");
    }

    @Test
    void badInputIsAClearErrorAndExit2() {
        assertThat(CliRun.of("trace", "--ruleset", dump.toString(), "--port", HostDocs.PORT, "--direction", "up",
                "--src", "1.1.1.1", "--protocol", "tcp").err()).contains("--direction must be ingress or egress");
        CliRun noProto = CliRun.of("trace", "--ruleset", dump.toString(), "--port", HostDocs.PORT, "--direction",
                "ingress", "--src", "1.1.1.1");
        assertThat(noProto.exit()).isEqualTo(2);
        assertThat(noProto.err()).contains("give --protocol");
        assertThat(CliRun.of("trace", "--ruleset", dir.resolve("missing").toString(), "--port", HostDocs.PORT,
                "--direction", "ingress", "--src", "1.1.1.1", "--protocol", "tcp").err()).contains("no such file");
        CliRun both = CliRun.of("trace", "--port", HostDocs.PORT, "--direction", "ingress", "--src", "1.1.1.1",
                "--protocol", "tcp");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("give either --ruleset FILE or --server URL");
        CliRun badAddr = CliRun.of("trace", "--ruleset", dump.toString(), "--port", HostDocs.PORT, "--direction",
                "ingress", "--src", "1.1.1.999", "--protocol", "tcp");
        assertThat(badAddr.exit()).isEqualTo(2);
        assertThat(badAddr.err()).contains("'1.1.1.999' is not an IP address");
    }

    @Test
    void aRealDockerHostDumpIsTracedWithItsUnmodelledRulesNamed() throws IOException {
        Path docker = dir.resolve("docker.save");
        try (var in = getClass().getResourceAsStream("/docker-nft.save")) {
            Files.write(docker, in.readAllBytes());
        }
        CliRun r = CliRun.of("trace", "--ruleset", docker.toString(), "--physdev-in", "eth0", "--physdev-out",
                "veth1", "--src", "192.0.2.1", "--dst", "172.17.0.2", "--protocol", "tcp", "--dport", "80");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("not understood: module limit");
        assertThat(r.out()).contains("Verdict:");
    }
}
