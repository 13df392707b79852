package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.model.HostView;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** trace, capture-plan, counters and lint reading Tapguard's state over its API (against a test double of it). */
class ServerModeTest {
    static FakeNeutronApi api;
    static HostView view;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        view = HostDocuments.read(HostDocs.TUNNELS).view();
        api = new FakeNeutronApi(view);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void traceRendersThePortsHostWithProvenanceAndNamesTheSecurityGroupRule() throws IOException {
        CliRun r = CliRun.of("trace", "--server", api.url(), "--port", HostDocs.PORT, "--direction", "ingress",
                "--src", "192.0.2.10", "--protocol", "4", "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        assertThat(j.get("verdict").asText()).isEqualTo("DENIED");
        JsonNode closest = j.get("explanation").get("closest").get(0);
        assertThat(closest.get("security_group_rule_id").asText()).isEqualTo("r-94");
        assertThat(closest.get("description").asText()).isEqualTo("ingress IPv4 protocol 94 from anywhere");
        assertThat(j.get("explanation").get("fix").asText()).endsWith("--protocol 4 --remote-ip 192.0.2.10/32 "
                + HostDocs.GROUP);
        assertThat(api.requests).anyMatch(x -> x.startsWith("GET /v2.0/ports/" + HostDocs.PORT)
                && x.endsWith("roles=admin"));
        assertThat(api.requests).anyMatch(x -> x.startsWith("GET /v2.0/tapguard/hosts/compute-1/view"));

        CliRun allowed = CliRun.of("trace", "--server", api.url(), "--token", "tok", "--port", HostDocs.PORT,
                "--direction", "ingress", "--src", "192.0.2.10", "--protocol", "tcp", "--dport", "22");
        assertThat(allowed.out()).contains("Verdict: ALLOWED").contains("security group " + HostDocs.GROUP
                + ", rule r-ssh").contains("ingress IPv4 protocol tcp port 22 from anywhere");
        assertThat(api.requests).anyMatch(x -> x.contains("token=tok"));
    }

    @Test
    void anUnknownPortIsTheServersErrorAndExit3() {
        CliRun r = CliRun.of("trace", "--server", api.url(), "--port", "nope", "--direction", "ingress", "--src",
                "1.1.1.1", "--protocol", "tcp");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("HTTP 404 PortNotFound: Port nope could not be found.");
        CliRun down = CliRun.of("trace", "--server", "http://127.0.0.1:1", "--port", "x", "--direction", "ingress",
                "--src", "1.1.1.1", "--protocol", "tcp");
        assertThat(down.exit()).isEqualTo(3);
    }

    @Test
    void capturePlanHasEveryHopWithItsVlan() throws IOException {
        CliRun r = CliRun.of("capture-plan", "--server", api.url(), "--port", HostDocs.PORT, "--local-vlan", "3",
                "--bridge-mapping", "physnet1:br-ethx", "--nic", "eth1", "--src", "192.0.2.10", "--protocol", "4");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("A. VM interface: eth0").contains("tcpdump -nei tapd00d0003-33 'host 192.0.2.10 "
                + "and ip proto 4'").contains("C. Linux bridge").contains("E. veth, br-int side: qvod00d0003-33")
                .contains("ovs-tcpdump -i qvod00d0003-33 -nne 'vlan 3 and (host 192.0.2.10 and ip proto 4)'")
                .contains("F. patch br-int <-> br-ethx: int-br-ethx / phy-br-ethx")
                .contains("G. physical NIC: eth1").contains("tcpdump -nei eth1 'vlan 102 and (host 192.0.2.10 and "
                        + "ip proto 4)'").contains("expected 802.1Q tag: VLAN 102")
                .contains("the security group sits here, between B and C")
                .contains("'not icmp and not udp and not tcp and not arp'");
        CliRun json = CliRun.of("capture-plan", "--port", HostDocs.PORT, "--segmentation-id", "7", "--format",
                "json", "--local-vlan", "1");
        JsonNode j = HostDocuments.MAPPER.readTree(json.out());
        assertThat(j.get("hops").size()).isEqualTo(7);
        assertThat(j.get("hops").get(6).get("vlan").asText()).isEqualTo("VLAN 7");
    }

    @Test
    void countersMapKernelCountersToTheGroupsRules() throws IOException {
        CliRun rendered = CliRun.of("render", writeHost());
        String withCounters = rendered.out().replace("-A neutron-openvswi-id00d0003-3 -p tcp -m tcp --dport 22 -j RETURN",
                "[7:420] -A neutron-openvswi-id00d0003-3 -p tcp -m tcp --dport 22 -j RETURN")
                .replace("-A neutron-openvswi-sg-fallback -m", "[3:180] -A neutron-openvswi-sg-fallback -m");
        Path save = dir.resolve("save-c.txt");
        Files.writeString(save, withCounters);
        CliRun r = CliRun.of("counters", "--server", api.url(), "--port", HostDocs.PORT, "--save", save.toString(),
                "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        JsonNode ssh = null;
        for (JsonNode x : j.get("security_group_rules")) {
            if (x.get("security_group_rule_id").asText().equals("r-ssh")) {
                ssh = x;
            }
        }
        assertThat(ssh).isNotNull();
        assertThat(ssh.get("packets").asLong()).isEqualTo(7);
        assertThat(ssh.get("bytes").asLong()).isEqualTo(420);
        assertThat(j.get("missing_from_kernel").size()).isZero();
        CliRun text = CliRun.of("counters", "--port", HostDocs.PORT, "--save", save.toString());
        assertThat(text.out()).contains("[security group rule]").contains("-p tcp -m tcp --dport 22 -j RETURN");
    }

    @Test
    void lintReadsAProjectFromTheServer() throws IOException {
        CliRun r = CliRun.of("lint", "--server", api.url(), "--project", view.group(HostDocs.GROUP).projectId());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("warning: protocol-94-is-beet: group " + HostDocs.GROUP + " rule r-94")
                .contains("Linux uses 94 for BEET; IP-in-IP is 4").contains("sensitive-port-open");
        CliRun one = CliRun.of("lint", "--server", api.url(), "--group", HostDocs.GROUP, "--format", "json");
        JsonNode j = HostDocuments.MAPPER.readTree(one.out());
        assertThat(j.toString()).contains("PROTOCOL_94_IS_BEET");
    }

    private static String writeHost() throws IOException {
        Path host = dir.resolve("host.json");
        Files.writeString(host, HostDocs.TUNNELS);
        return host.toString();
    }
}
