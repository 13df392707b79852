package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCommandTest {
    @TempDir
    Path dir;

    @Test
    void aGroupFileWithProtocol94AndSshToTheWorldIsWarnedWithExit1() throws IOException {
        Path f = dir.resolve("sg.json");
        Files.writeString(f, """
                {"security_group": {"id": "g1", "name": "web", "project_id": "p",
                  "security_group_rules": [
                    {"id": "a", "direction": "ingress", "ethertype": "IPv4", "protocol": "94"},
                    {"id": "b", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                     "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"},
                    {"id": "c", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                     "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8"}
                  ]}}
                """);
        CliRun r = CliRun.of("lint", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("protocol-94-is-beet").contains("sensitive-port-open").contains("shadowed-rule")
                .contains("egress-removed").contains("1 group, 4 findings");
    }

    @Test
    void aCleanGroupIsExit0AndBadJsonIsExit2() throws IOException {
        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, """
                {"security_groups": [{"id": "g", "security_group_rules": [
                  {"direction": "egress", "ethertype": "IPv4"}, {"direction": "egress", "ethertype": "IPv6"}]}]}
                """);
        assertThat(CliRun.of("lint", ok.toString()).exit()).isZero();
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"security_group\": {\"id\": \"g\", \"security_group_rules\": [{\"direction\": \"up\"}]}}");
        CliRun r = CliRun.of("lint", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("direction must be ingress or egress");
        assertThat(CliRun.of("lint").exit()).isEqualTo(2);
    }
}
