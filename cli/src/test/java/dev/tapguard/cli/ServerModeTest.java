package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * trace, capture-plan, counters and lint reading Tapguard's state from the real server ({@link TunnelsOnServer}: H2
 * in a temp dir, noauth; a Keystone test double for the token case).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerModeTest {
    @TempDir
    Path dir;
    private TunnelsOnServer tg;
    private TapguardServer server;
    private String project;
    private String group;
    private String port;
    private String unbound;
    private PortNames names;
    private Map<String, String> ruleIds;

    @BeforeAll
    void start() throws IOException {
        tg = new TunnelsOnServer();
        server = tg.server;
        project = tg.project;
        group = tg.group;
        port = tg.port;
        unbound = tg.unbound;
        ruleIds = tg.rules;
        names = HostNames.neutron(port);
    }

    @AfterAll
    void stop() throws IOException {
        if (tg != null) {
            tg.close();
        }
    }

    @Test
    void traceNamesTheDecidingRuleAndItsSecurityGroupRule() throws IOException {
        CliRun r = CliRun.of("trace", "--server", server.url(), "--port", port, "--direction", "ingress",
                "--src", "192.0.2.10", "--protocol", "4", "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        assertThat(j.get("verdict").asText()).isEqualTo("DENIED");
        assertThat(j.get("decided_by").get("chain").asText()).isEqualTo("neutron-openvswi-sg-fallback");
        assertThat(j.get("decided_by").get("text").asText()).endsWith("-j DROP");
        JsonNode closest = j.get("explanation").get("closest").get(0);
        assertThat(closest.get("security_group_rule_id").asText()).isEqualTo(ruleIds.get("94"));
        assertThat(closest.get("description").asText()).isEqualTo("ingress IPv4 protocol 94 from anywhere");
        assertThat(j.get("explanation").get("fix").asText()).isEqualTo("openstack security group rule create "
                + "--ingress --ethertype IPv4 --protocol 4 --remote-ip 192.0.2.10/32 " + group);

        CliRun text = CliRun.of("trace", "--server", server.url(), "--port", port, "--direction", "ingress",
                "--src", "192.0.2.10", "--protocol", "4");
        assertThat(text.out()).contains("Verdict: DENIED")
                .contains("no rule allows IP protocol 4 (ipip) ingress from 192.0.2.10 into port " + port)
                .contains("-p ipip -j RETURN   [security group " + group + " rule " + ruleIds.get("94") + "]")
                .contains("allows protocol 94, not 4: Linux uses 94 for BEET; IP-in-IP is 4")
                .contains("openstack security group rule create --ingress --ethertype IPv4 --protocol 4");

        CliRun allowed = CliRun.of("trace", "--server", server.url(), "--port", port, "--direction", "ingress",
                "--src", "192.0.2.10", "--protocol", "tcp", "--dport", "22", "--format", "json");
        JsonNode a = HostDocuments.MAPPER.readTree(allowed.out());
        assertThat(a.get("verdict").asText()).isEqualTo("ALLOWED");
        assertThat(a.get("security_group_rule_id").asText()).isEqualTo(ruleIds.get("ssh"));
        assertThat(a.get("decided_by").get("chain").asText()).isEqualTo(names.chain("neutron-openvswi", 'i'));
        assertThat(a.get("decided_by").get("text").asText()).isEqualTo("-p tcp -m tcp --dport 22 -j RETURN");
        assertThat(a.get("decided_by").get("reason").asText()).isEqualTo("security group rule " + ruleIds.get("ssh")
                + " of group " + group + " (ingress IPv4 protocol tcp port 22 from anywhere)");
    }

    @Test
    void theServersErrorsAreExit3WithTheirNeutronError() {
        CliRun r = CliRun.of("trace", "--server", server.url(), "--port", "nope", "--direction", "ingress", "--src",
                "1.1.1.1", "--protocol", "tcp");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("HTTP 404 PortNotFound: Port nope could not be found.");
        CliRun notBound = CliRun.of("capture-plan", "--server", server.url(), "--port", unbound, "--local-vlan",
                "1");
        assertThat(notBound.exit()).isEqualTo(3);
        assertThat(notBound.err()).contains("port " + unbound + " is not bound to a host");
        CliRun down = CliRun.of("trace", "--server", "http://127.0.0.1:1", "--port", "x", "--direction", "ingress",
                "--src", "1.1.1.1", "--protocol", "tcp");
        assertThat(down.exit()).isEqualTo(3);
    }

    @Test
    void aTokenIsSentAndCheckedByKeystone() throws IOException {
        Path ksDb = Files.createTempDirectory(dir, "tgd2-cli-ks-");
        try (FakeKeystone ks = new FakeKeystone(Map.of("tok", new String[] {project, "admin"},
                "member-tok", new String[] {project, "member", "reader"}));
             TapguardServer secured = TapguardServer.start(ServerConfig.keystone(
                     "jdbc:h2:file:" + ksDb.resolve("tapguard"), ks.url()))) {
            CliRun none = CliRun.of("lint", "--server", secured.url(), "--project", project);
            assertThat(none.exit()).isEqualTo(3);
            assertThat(none.err()).contains("HTTP 401");
            CliRun member = CliRun.of("trace", "--server", secured.url(), "--token", "member-tok", "--port", "p",
                    "--direction", "ingress", "--src", "1.1.1.1", "--protocol", "tcp");
            assertThat(member.exit()).isEqualTo(3);
            assertThat(member.err()).contains("HTTP 404 PortNotFound");
            CliRun admin = CliRun.of("lint", "--server", secured.url(), "--token", "tok", "--project", project);
            assertThat(admin.exit()).as(admin.err()).isZero();
            // the token's project got its default group on first use; nothing in it is suspicious
            assertThat(admin.out()).contains("1 group, 0 findings");
        }
    }

    @Test
    void capturePlanHasEveryHopWithItsVlan() throws IOException {
        CliRun r = CliRun.of("capture-plan", "--server", server.url(), "--port", port, "--local-vlan", "3",
                "--bridge-mapping", "physnet1:br-ethx", "--nic", "eth1", "--src", "192.0.2.10", "--protocol", "4");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("A. VM interface: eth0")
                .contains("tcpdump -nei " + names.tap() + " 'host 192.0.2.10 and ip proto 4'")
                .contains("C. Linux bridge (the security group filters here): " + names.qbr())
                .contains("E. veth, br-int side: " + names.qvo())
                .contains("ovs-tcpdump -i " + names.qvo() + " -nne 'vlan 3 and (host 192.0.2.10 and ip proto 4)'")
                .contains("F. patch br-int <-> br-ethx: int-br-ethx / phy-br-ethx")
                .contains("G. physical NIC: eth1")
                .contains("tcpdump -nei eth1 'vlan 102 and (host 192.0.2.10 and ip proto 4)'")
                .contains("expected 802.1Q tag: VLAN 102")
                .contains("the security group sits here, between B and C")
                .contains("'not icmp and not udp and not tcp and not arp'");
        CliRun json = CliRun.of("capture-plan", "--server", server.url(), "--port", port, "--format", "json",
                "--local-vlan", "1");
        JsonNode j = HostDocuments.MAPPER.readTree(json.out());
        assertThat(j.get("network_type").asText()).isEqualTo("vlan");
        assertThat(j.get("hops").size()).isEqualTo(7);
        assertThat(j.get("hops").get(5).get("vlan").asText()).contains("local VLAN 1");
        assertThat(j.get("hops").get(6).get("vlan").asText()).isEqualTo("VLAN 102");
    }

    @Test
    void countersMapKernelCountersToTheGroupsRules() throws IOException {
        // the kernel's side: the ruleset the agent would load from this host's view, with counters
        Path view = dir.resolve("view.json");
        Files.writeString(view, tg.hostView());
        CliRun rendered = CliRun.of("render", view.toString());
        assertThat(rendered.exit()).as(rendered.err()).isZero();
        String chain = names.chain("neutron-openvswi", 'i');
        String rule = "-A " + chain + " -p tcp -m tcp --dport 22 -j RETURN";
        assertThat(rendered.out()).contains(rule);
        String save = rendered.out().replace(rule, "[7:420] " + rule);
        Path file = dir.resolve("save-c.txt");
        Files.writeString(file, save);
        CliRun r = CliRun.of("counters", "--server", server.url(), "--port", port, "--save", file.toString(),
                "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = HostDocuments.MAPPER.readTree(r.out());
        JsonNode ssh = null;
        for (JsonNode x : j.get("security_group_rules")) {
            if (x.get("security_group_rule_id").asText().equals(ruleIds.get("ssh"))) {
                ssh = x;
            }
        }
        assertThat(ssh).as(r.out()).isNotNull();
        assertThat(ssh.get("packets").asLong()).isEqualTo(7);
        assertThat(ssh.get("bytes").asLong()).isEqualTo(420);
        assertThat(j.get("missing_from_kernel").size()).isZero();
    }

    @Test
    void lintFindsProtocol94InTheProjectAndInOneGroup() throws IOException {
        CliRun r = CliRun.of("lint", "--server", server.url(), "--project", project);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("warning: protocol-94-is-beet: group " + group + " rule " + ruleIds.get("94"))
                .contains("Linux uses 94 for BEET; IP-in-IP is 4")
                .contains("warning: sensitive-port-open: group " + group + " rule " + ruleIds.get("ssh"));
        CliRun one = CliRun.of("lint", "--server", server.url(), "--group", group, "--format", "json");
        JsonNode j = HostDocuments.MAPPER.readTree(one.out());
        assertThat(j).anySatisfy(f -> {
            assertThat(f.get("code").asText()).isEqualTo("PROTOCOL_94_IS_BEET");
            assertThat(f.get("security_group_rule_id").asText()).isEqualTo(ruleIds.get("94"));
        });
    }
}
