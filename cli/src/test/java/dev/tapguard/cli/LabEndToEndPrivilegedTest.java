package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.agent.lab.Capture;
import dev.tapguard.agent.lab.Lab;
import dev.tapguard.agent.lab.LabPeer;
import dev.tapguard.wire.HostDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole system on a lab compute node: the real server (H2, noauth) and the real agent in lab mode, networks,
 * ports, groups and rules created through the Neutron API over HTTP, real packets on the wire. One lab for the
 * class (building it costs seconds); every scenario puts back what it changed.
 *
 * <p>Networks: net1 = VLAN 102 (the fabric terminates it), net2 = VLAN 103 (nobody does). Ports: A (group A: ssh,
 * dns, icmp, icmpv6, gre from the fabric, the default egress rules), C (group C: ssh from group A's members, egress
 * http only), B on net2 and I on net1 (the project's default group).
 */
@Tag("privileged")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndPrivilegedTest {
    static final String A_IP = "10.102.0.5";
    static final String C_IP = "10.102.0.6";
    static final String I_IP = "10.102.0.7";
    static final String D_IP = "10.102.0.9";
    static final String B_IP = "10.103.0.50";
    static final String A_IP6 = "2001:db8:102::5";
    static final String C_IP6 = "2001:db8:102::6";
    static final String FABRIC = Lab.FABRIC_IP;

    LabStack stack;
    Lab lab;
    NeutronClient api;
    Path stubs;
    String net1;
    String sgA;
    String sgDefault;
    String sshRule;
    String a;
    String c;
    String b;
    String i;

    @BeforeAll
    void buildTheLab() throws Exception {
        byte[] r = new byte[2];
        ThreadLocalRandom.current().nextBytes(r);
        String prefix = "tge" + HexFormat.of().formatHex(r);
        Path work = Files.createTempDirectory(prefix + "-work-");
        stubs = Files.createDirectory(work.resolve("stubs"));
        stack = LabStack.start(prefix, Map.of("PATH", stubs + ":" + System.getenv("PATH")), s -> { }, l -> { });
        lab = stack.lab();
        lab.onClose(() -> Files.walk(work).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()));
        api = stack.api("e2e-project");
        net1 = api.vlanNetwork(lab.name("net1"), Lab.PHYSNET, 102).get("id").asText();
        String net2 = api.vlanNetwork(lab.name("net2"), Lab.PHYSNET, 103).get("id").asText();
        api.subnet(net1, "10.102.0.0/24");
        api.subnet(net1, "2001:db8:102::/64");
        api.subnet(net2, "10.103.0.0/24");

        sgA = api.group(lab.name("a")).get("id").asText();
        sshRule = api.rule(sgA, "ingress", "IPv4", "tcp", 22, 22, null).get("id").asText();
        api.rule(sgA, "ingress", "IPv4", "udp", 53, 53, null);
        api.rule(sgA, "ingress", "IPv4", "icmp", null, null, null);
        api.rule(sgA, "ingress", "IPv6", "ipv6-icmp", null, null, null);
        api.rule(sgA, "ingress", "IPv4", "gre", null, null, FABRIC + "/32");
        String sgC = api.group(lab.name("c")).get("id").asText();
        api.clearRules(sgC);
        api.rule(sgC, "ingress", "IPv4", "tcp", 22, 22, sgA);
        api.rule(sgC, "egress", "IPv4", "tcp", 80, 80, null);
        sgDefault = api.defaultGroup().get("id").asText();

        a = port("a", net1, "fa:16:3e:a0:00:05", List.of(A_IP, A_IP6), sgA);
        c = port("c", net1, "fa:16:3e:a0:00:06", List.of(C_IP, C_IP6), sgC);
        i = port("i", net1, "fa:16:3e:a0:00:07", List.of(I_IP), sgDefault);
        b = port("b", net2, "fa:16:3e:b0:00:05", List.of(B_IP), sgDefault);
        stack.awaitApplied(Duration.ofSeconds(60));
        lab.configureVm(lab.name("a"), A_IP + "/24", A_IP6 + "/64");
        lab.configureVm(lab.name("c"), C_IP + "/24", C_IP6 + "/64");
        lab.configureVm(lab.name("i"), I_IP + "/24", null);
        lab.configureVm(lab.name("b"), B_IP + "/24", null);
        // B tries the fabric on its own link: only the VLAN (103, not 102) keeps it apart
        lab.check(lab.name("b"), "ip", "route", "add", "10.102.0.0/24", "dev", "eth0");
    }

    private String port(String vm, String network, String mac, List<String> ips, String group) {
        return api.port(lab.name(vm), network, mac, ips, List.of(group), LabStack.HOST).get("id").asText();
    }

    @AfterAll
    void removeTheLab() {
        if (stack != null) {
            stack.close();
        } else if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void inSync() {
        stack.awaitApplied(Duration.ofSeconds(60));
    }

    private LabPeer vm(String suffix) throws Exception {
        return lab.peer(lab.name(suffix));
    }

    /** Sends a hand-made packet from one peer and counts what a sniffer on another sees. */
    private static int deliver(LabPeer from, String packet, boolean l2, LabPeer to, String iface, String filter) {
        to.sniffStart("s", iface, filter);
        from.send(packet, l2);
        return to.sniffStop("s");
    }

    private static void check(List<String> wrong, String what, boolean got, boolean want) {
        if (got != want) {
            wrong.add(what + ": got " + (got ? "delivered" : "dropped"));
        }
    }

    @Test
    @Order(1)
    void packetMatrixGivesEveryExpectedOutcomeOnTheWire() throws Exception {
        LabPeer f = lab.fabric();
        LabPeer va = vm("a");
        LabPeer vc = vm("c");
        LabPeer vb = vm("b");
        f.tcpListen(80);
        f.tcpListen(22);
        f.udpListen(53);
        va.tcpListen(22);
        va.tcpListen(23);
        va.udpListen(53);
        va.udpListen(54);
        vc.tcpListen(22);
        List<String> wrong = new ArrayList<>();
        check(wrong, "ingress tcp 22 fabric->A allowed", f.tcpConnect("1", A_IP, 22) && f.tcpEcho("1", "x"), true);
        check(wrong, "ingress tcp 23 fabric->A dropped", f.tcpConnect("2", A_IP, 23), false);
        check(wrong, "ingress udp 53 fabric->A allowed", f.udpProbe(A_IP, 53), true);
        check(wrong, "ingress udp 54 fabric->A dropped", f.udpProbe(A_IP, 54), false);
        check(wrong, "ingress icmp fabric->A allowed", f.ping(A_IP), true);
        check(wrong, "ingress icmp fabric->C dropped", f.ping(C_IP), false);
        check(wrong, "ingress icmpv6 fabric->A allowed", f.ping(A_IP6), true);
        check(wrong, "ingress icmpv6 fabric->C dropped", f.ping(C_IP6), false);
        String gre = "IP(src='" + FABRIC + "',dst='%s')/GRE()/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "ingress gre(47) fabric->A allowed",
                deliver(f, gre.formatted(A_IP), false, va, "eth0", "ip proto 47") > 0, true);
        check(wrong, "ingress gre(47) fabric->C dropped",
                deliver(f, gre.formatted(C_IP), false, vc, "eth0", "ip proto 47") > 0, false);
        String ipip = "IP(src='" + FABRIC + "',dst='%s')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "ingress ipip(4) fabric->A dropped (no rule for 4)",
                deliver(f, ipip.formatted(A_IP), false, va, "eth0", "ip proto 4") > 0, false);
        check(wrong, "ingress tcp 22 A->C allowed (remote group)", va.tcpConnect("3", C_IP, 22) && va.tcpEcho("3", "y"),
                true);
        check(wrong, "ingress tcp 22 fabric->C dropped (not in the remote group)", f.tcpConnect("4", C_IP, 22), false);
        check(wrong, "egress tcp 80 C->fabric allowed", vc.tcpConnect("5", FABRIC, 80) && vc.tcpEcho("5", "z"), true);
        check(wrong, "egress tcp 22 C->fabric dropped", vc.tcpConnect("6", FABRIC, 22), false);
        check(wrong, "egress udp 53 A->fabric allowed", va.udpProbe(FABRIC, 53), true);
        check(wrong, "egress udp 53 C->fabric dropped", vc.udpProbe(FABRIC, 53), false);
        check(wrong, "egress icmp A->fabric allowed", va.ping(FABRIC), true);
        check(wrong, "egress icmp C->fabric dropped", vc.ping(FABRIC), false);
        String fromVm = "IP(src='%s',dst='" + FABRIC + "')/%sIP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "egress gre(47) A->fabric allowed",
                deliver(va, fromVm.formatted(A_IP, "GRE()/"), false, f, "vlan102", "ip proto 47") > 0, true);
        check(wrong, "egress gre(47) C->fabric dropped",
                deliver(vc, fromVm.formatted(C_IP, "GRE()/"), false, f, "vlan102", "ip proto 47") > 0, false);
        check(wrong, "egress ipip(4) A->fabric allowed",
                deliver(va, fromVm.formatted(A_IP, ""), false, f, "vlan102", "ip proto 4") > 0, true);
        check(wrong, "egress ipip(4) C->fabric dropped",
                deliver(vc, fromVm.formatted(C_IP, ""), false, f, "vlan102", "ip proto 4") > 0, false);
        check(wrong, "spoofed source IP from A dropped",
                deliver(va, "IP(src='10.102.0.99',dst='" + FABRIC + "')/ICMP()", false, f, "vlan102",
                        "src host 10.102.0.99") > 0, false);
        check(wrong, "spoofed source MAC from A dropped",
                deliver(va, "Ether(src='fa:16:3e:de:ad:01',dst='ff:ff:ff:ff:ff:ff')/IP(src='" + A_IP
                        + "',dst='" + FABRIC + "')/UDP(sport=5000,dport=53)/Raw(b'spoof')", true, f,
                        "vlan102", "ether src fa:16:3e:de:ad:01") > 0, false);
        check(wrong, "A's own MAC and IP, same frame, delivered (the spoof checks are not blanket drops)",
                deliver(va, "Ether(src='fa:16:3e:a0:00:05',dst='ff:ff:ff:ff:ff:ff')/IP(src='" + A_IP
                        + "',dst='" + FABRIC + "')/UDP(sport=5000,dport=53)/Raw(b'own')", true, f,
                        "vlan102", "ether src fa:16:3e:a0:00:05 and udp port 5000") > 0, true);
        String dhcpOffer = "Ether(src='fa:16:3e:a0:00:05',dst='ff:ff:ff:ff:ff:ff')/IP(src='" + A_IP
                + "',dst='255.255.255.255')/UDP(sport=67,dport=68)/BOOTP(op=2,yiaddr='10.102.0.77')"
                + "/DHCP(options=[('message-type','offer'),'end'])";
        check(wrong, "A answering as a DHCP server dropped (fabric side)",
                deliver(va, dhcpOffer, true, f, "vlan102", "udp src port 67") > 0, false);
        check(wrong, "A answering as a DHCP server dropped (neighbour C)",
                deliver(va, dhcpOffer, true, vc, "eth0", "udp src port 67") > 0, false);
        check(wrong, "B on the other network (VLAN 103) does not reach the VLAN 102 fabric",
                vb.ping(FABRIC), false);
        assertThat(wrong).as("unexpected outcomes").isEmpty();
    }

    @Test
    @Order(2)
    void fabricSeesVlan102AndBridgesTranslateLocalVlans() throws Exception {
        String phy = lab.hostOvs().ofctl("dump-flows", Lab.BRIDGE);
        String integration = lab.hostOvs().ofctl("dump-flows", "br-int");
        String tag1 = lab.hostOvs().vsctl("get", "Port", "qvo" + a.substring(0, 11), "tag").strip();
        String tag2 = lab.hostOvs().vsctl("get", "Port", "qvo" + b.substring(0, 11), "tag").strip();
        assertThat(phy).contains("dl_vlan=" + tag1 + " actions=mod_vlan_vid:102",
                "dl_vlan=" + tag2 + " actions=mod_vlan_vid:103");
        assertThat(integration).contains("dl_vlan=102 actions=mod_vlan_vid:" + tag1,
                "dl_vlan=103 actions=mod_vlan_vid:" + tag2);
        try (Capture fab0 = lab.capture(lab.fabricNs(), "fab0", List.of("tcpdump", "-e", "-n", "-i", "fab0",
                "vlan and icmp"))) {
            LabPeer va = vm("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                va.ping(FABRIC);
                return fab0.count() >= 2;
            });
            String seen = String.join("\n", fab0.stop());
            assertThat(seen).contains("vlan 102").contains(A_IP).doesNotContain("vlan " + tag1 + ",");
        }
    }

    @Test
    @Order(3)
    void theArticlesIncidentIpInIpArrivesWithinTwoSecondsOfTheRule() throws Exception {
        LabPeer f = lab.fabric();
        LabPeer vi = vm("i");
        String ipip = "IP(src='" + FABRIC + "',dst='" + I_IP + "')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        assertThat(deliver(f, ipip, false, vi, "eth0", "ip proto 4")).as("dropped with the default group").isZero();

        String rule;
        long millis;
        try (Capture eth0 = lab.capture(lab.name("i"), "vm-i", List.of("tcpdump", "-n", "-i", "eth0", "ip proto 4"))) {
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sender = new Thread(() -> {
                while (sending.get()) {
                    f.send(ipip, false);
                }
            }, "ipip-sender");
            long t0 = System.nanoTime();
            rule = api.rule(sgDefault, "ingress", "IPv4", "4", null, null, null).get("id").asText();
            sender.start();
            boolean arrived = eth0.await(1, Duration.ofSeconds(2).minusNanos(System.nanoTime() - t0));
            millis = (System.nanoTime() - t0) / 1_000_000;
            sending.set(false);
            sender.join(5000);
            assertThat(arrived).as("IP-in-IP reached the VM within 2 s of the API call (%d ms)", millis).isTrue();
        }
        System.out.printf("incident: rule for protocol 4 created -> IP-in-IP at the VM after %d ms%n", millis);
        CliRun counters = CliRun.of("counters", "--server", stack.serverUrl(), "--port", i, "--netns",
                lab.hostNs(), "--format", "json");
        assertThat(counters.exit()).as(counters.err()).isZero();
        JsonNode total = null;
        for (JsonNode t : HostDocuments.MAPPER.readTree(counters.out()).get("security_group_rules")) {
            if (rule.equals(t.path("security_group_rule_id").asText())) {
                total = t;
            }
        }
        assertThat(total).as("the new rule in %s", counters.out()).isNotNull();
        assertThat(total.get("packets").asLong()).as("packets counted by the protocol-4 rule").isPositive();
        api.delete("security_group_rule", rule);
    }

    @Test
    @Order(4)
    void removingARuleCutsTheEstablishedFlowsOnlyItAllowed() throws Exception {
        LabPeer f = lab.fabric();
        LabPeer va = vm("a");
        va.tcpListen(2222);
        String other = api.rule(sgA, "ingress", "IPv4", "tcp", 2222, 2222, null).get("id").asText();
        stack.awaitApplied(Duration.ofSeconds(30));
        assertThat(f.tcpConnect("ssh", A_IP, 22) && f.tcpEcho("ssh", "1")).isTrue();
        assertThat(f.tcpConnect("other", A_IP, 2222) && f.tcpEcho("other", "1")).isTrue();
        api.delete("security_group_rule", sshRule);
        stack.awaitApplied(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.agent().conntrackPending() == 0);
        assertThat(f.tcpEcho("ssh", "2")).as("the flow only the removed rule allowed").isFalse();
        assertThat(f.tcpEcho("other", "2")).as("a flow another rule allows").isTrue();
        sshRule = api.rule(sgA, "ingress", "IPv4", "tcp", 22, 22, null).get("id").asText();
        api.delete("security_group_rule", other);
    }

    @Test
    @Order(5)
    void restartKeepsEstablishedConnectionsAndRewritesNothing() throws Exception {
        LabPeer f = lab.fabric();
        assertThat(f.tcpConnect("c1", A_IP, 22) && f.tcpEcho("c1", "before")).isTrue();
        String raw = lab.check(lab.hostNs(), "iptables-save", "-t", "raw").replaceAll("(?m)^#.*\n", "");
        String filter = lab.check(lab.hostNs(), "iptables-save", "-t", "filter").replaceAll("(?m)^#.*\n", "");
        String tags = lab.hostOvs().vsctl("--format=csv", "--columns=name,tag", "list", "Port");
        stack.stopAgent();
        assertThat(f.tcpEcho("c1", "while-down")).as("the rules stay while the agent is down").isTrue();
        stack.startAgent();
        stack.awaitApplied(Duration.ofSeconds(30));
        assertThat(f.tcpEcho("c1", "after")).isTrue();
        var m = stack.agent().metrics();
        assertThat(m.restoreCalls("iptables-restore") + m.restoreCalls("ip6tables-restore") + m.restoreCalls("ipset"))
                .as("restore processes run by the restarted agent").isZero();
        assertThat(lab.check(lab.hostNs(), "iptables-save", "-t", "raw").replaceAll("(?m)^#.*\n", ""))
                .as("zones stable").isEqualTo(raw);
        assertThat(lab.check(lab.hostNs(), "iptables-save", "-t", "filter").replaceAll("(?m)^#.*\n", ""))
                .isEqualTo(filter);
        assertThat(lab.hostOvs().vsctl("--format=csv", "--columns=name,tag", "list", "Port")).isEqualTo(tags);
    }

    @Test
    @Order(6)
    void aFailingRestoreKeepsTheNewPortBlockedUntilARetrySucceeds() throws Exception {
        LabPeer f = lab.fabric();
        Path stub = stubs.resolve("iptables-restore");
        Files.writeString(stub, "#!/bin/sh\necho 'tapguard test: failing iptables-restore stand-in' >&2\nexit 1\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        String d;
        try {
            d = port("d", net1, "fa:16:3e:a0:00:09", List.of(D_IP), sgA);
            String qvo = "qvo" + d.substring(0, 11);
            // the dead VLAN is set within the failing cycle, which ends by reporting that it is out of sync
            await().atMost(Duration.ofSeconds(30)).until(() -> lab.hasNamespace(lab.name("d"))
                    && lab.hostOvs().vsctl("--if-exists", "get", "Port", qvo, "tag").strip().equals("4095")
                    && !stack.agent().inSync());
            lab.configureVm(lab.name("d"), D_IP + "/24", null);
            assertThat(stack.agent().lastError()).contains("failing iptables-restore stand-in");
            for (int n = 0; n < 3; n++) {
                assertThat(f.ping(D_IP)).as("the new port stays blocked while restores fail").isFalse();
            }
            assertThat(lab.check(lab.hostNs(), "iptables-save", "-t", "filter"))
                    .contains("-A neutron-openvswi-guard -m physdev --physdev-in tap" + d.substring(0, 11));
        } finally {
            Files.deleteIfExists(stub);
        }
        stack.awaitApplied(Duration.ofSeconds(45));
        assertThat(f.ping(D_IP)).as("reachable once the real iptables-restore is back").isTrue();
        assertThat(lab.check(lab.hostNs(), "iptables-save", "-t", "filter")).doesNotContain("neutron-openvswi-guard -m "
                + "physdev --physdev-in tap" + d.substring(0, 11));
        api.delete("port", d);
        stack.awaitApplied(Duration.ofSeconds(30));
        assertThat(lab.hasNamespace(lab.name("d"))).as("the VM of a deleted port is removed").isFalse();
    }
}
