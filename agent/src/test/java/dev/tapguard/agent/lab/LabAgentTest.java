package dev.tapguard.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tapguard.agent.Agent;
import dev.tapguard.agent.AgentConfig;
import dev.tapguard.agent.ViewBuilder;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.plumbing.BridgeMapping;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.render.RenderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent on a lab compute node (namespaces, its own Open vSwitch, a VLAN 102 fabric), real packets. The feed is
 * a contract double here; {@code cli}'s end-to-end tests drive the same through the real server.
 */
@Tag("privileged")
class LabAgentTest {
    static final String A_IP = "10.102.0.5";
    static final String C_IP = "10.102.0.6";
    static final String D_IP = "10.102.0.9";
    static final String A_IP6 = "2001:db8:102::5";
    static final String C_IP6 = "2001:db8:102::6";

    Lab lab;
    FakeFeedServer feed;
    ViewBuilder v;
    Agent agent;
    Path stubs;
    String a;
    String c;
    String b;
    String sgA = ViewBuilder.uuid();
    String sgC = ViewBuilder.uuid();
    String sgDefault = ViewBuilder.uuid();
    SecurityGroupRule ssh = ViewBuilder.ingress("tcp", 22, 22);

    @BeforeEach
    void setUp() throws Exception {
        lab = new Lab();
        feed = new FakeFeedServer();
        lab.onClose(feed);
        stubs = Files.createDirectory(lab.dir.resolve("stubs"));
        v = new ViewBuilder(lab.prefix).network("net1", "vlan", "physnet1", 102).network("net2", "vlan", "physnet1", 103)
                .defaultGroup(sgDefault)
                .group(sgA, ssh, ViewBuilder.ingress("udp", 53, 53), ViewBuilder.ingress("icmp", null, null),
                        ViewBuilder.rule(Direction.INGRESS, Ethertype.IPv6, "ipv6-icmp", null, null, Remote.ANY),
                        ViewBuilder.rule(Direction.INGRESS, Ethertype.IPv4, "gre", null, null,
                                new Remote.IpPrefix(Lab.FABRIC_IP + "/32", Lab.FABRIC_IP + "/32")),
                        ViewBuilder.rule(Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY),
                        ViewBuilder.rule(Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY))
                .group(sgC, ViewBuilder.rule(Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22, new Remote.Group(sgA)),
                        ViewBuilder.rule(Direction.EGRESS, Ethertype.IPv4, "tcp", 80, 80, Remote.ANY));
        a = ViewBuilder.uuid();
        c = ViewBuilder.uuid();
        b = ViewBuilder.uuid();
        v.port(a, lab.prefix + "-a", "net1", "fa:16:3e:a0:00:05", List.of(A_IP, A_IP6), sgA);
        v.port(c, lab.prefix + "-c", "net1", "fa:16:3e:a0:00:06", List.of(C_IP, C_IP6), sgC);
        v.port(b, lab.prefix + "-b", "net2", "fa:16:3e:b0:00:05", List.of("10.102.0.50"), sgDefault);
        startAgent();
        publishAndWait();
        lab.configureVm(lab.prefix + "-a", A_IP + "/24", A_IP6 + "/64");
        lab.configureVm(lab.prefix + "-c", C_IP + "/24", C_IP6 + "/64");
        lab.configureVm(lab.prefix + "-b", "10.102.0.50/24", null);
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private void startAgent() throws Exception {
        AgentConfig cfg = new AgentConfig(feed.uri(), lab.prefix, true, List.of(BridgeMapping.parse("physnet1:br-ethx")),
                "127.0.0.1:0", lab.hostNs, lab.hostOvs.rundir(), true, "netdev", RenderOptions.DEFAULTS, null,
                "service", 5, Duration.ofMinutes(5), Duration.ofSeconds(60));
        agent = new Agent(cfg, new ProcessCommandRunner(lab.hostNs,
                Map.of("PATH", stubs + ":" + System.getenv("PATH"))));
        agent.start();
    }

    private long publishAndWait() {
        HostView view = v.build();
        feed.publish(view);
        long[] rev = new long[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            rev[0] = agent.appliedRevision();
            return agent.inSync() && rev[0] > 0 && agent.appliedRevision() == currentRevision();
        });
        return rev[0];
    }

    private long currentRevision() {
        return agent.metrics().registry().scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("tapguard_agent_view_revision"))
                .mapToLong(m -> (long) ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) m).getDataPoints()
                        .get(0).getValue()).findFirst().orElse(-1);
    }

    private LabPeer vm(String suffix) throws Exception {
        return lab.peer(lab.prefix + "-" + suffix);
    }

    /** Sends a hand-made packet from one peer and counts what another sees. */
    private int deliver(LabPeer from, String packet, boolean l2, LabPeer to, String iface, String filter)
            throws Exception {
        to.sniffStart("s", iface, filter);
        from.send(packet, l2);
        return to.sniffStop("s");
    }

    @Test
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
        String gre = "IP(src='" + Lab.FABRIC_IP + "',dst='%s')/GRE()/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "ingress gre(47) fabric->A allowed",
                deliver(f, gre.formatted(A_IP), false, va, "eth0", "ip proto 47") > 0, true);
        check(wrong, "ingress gre(47) fabric->C dropped",
                deliver(f, gre.formatted(C_IP), false, vc, "eth0", "ip proto 47") > 0, false);
        String ipip = "IP(src='" + Lab.FABRIC_IP + "',dst='%s')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "ingress ipip(4) fabric->A dropped by the default rules",
                deliver(f, ipip.formatted(A_IP), false, va, "eth0", "ip proto 4") > 0, false);
        check(wrong, "ingress tcp 22 A->C allowed (remote group)", va.tcpConnect("3", C_IP, 22) && va.tcpEcho("3", "y"),
                true);
        check(wrong, "ingress tcp 22 fabric->C dropped (not in remote group)", f.tcpConnect("4", C_IP, 22), false);
        check(wrong, "egress tcp 80 C->fabric allowed", vc.tcpConnect("5", Lab.FABRIC_IP, 80) && vc.tcpEcho("5", "z"),
                true);
        check(wrong, "egress tcp 22 C->fabric dropped", vc.tcpConnect("6", Lab.FABRIC_IP, 22), false);
        check(wrong, "egress udp 53 A->fabric allowed", va.udpProbe(Lab.FABRIC_IP, 53), true);
        check(wrong, "egress udp 53 C->fabric dropped", vc.udpProbe(Lab.FABRIC_IP, 53), false);
        check(wrong, "egress icmp A->fabric allowed", va.ping(Lab.FABRIC_IP), true);
        check(wrong, "egress icmp C->fabric dropped", vc.ping(Lab.FABRIC_IP), false);
        String fromVm = "IP(src='%s',dst='" + Lab.FABRIC_IP + "')/%s/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "egress gre(47) A->fabric allowed",
                deliver(va, fromVm.formatted(A_IP, "GRE()"), false, f, "vlan102", "ip proto 47") > 0, true);
        check(wrong, "egress gre(47) C->fabric dropped",
                deliver(vc, fromVm.formatted(C_IP, "GRE()"), false, f, "vlan102", "ip proto 47") > 0, false);
        String ipipOut = "IP(src='%s',dst='" + Lab.FABRIC_IP + "')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        check(wrong, "egress ipip(4) A->fabric allowed",
                deliver(va, ipipOut.formatted(A_IP), false, f, "vlan102", "ip proto 4") > 0, true);
        check(wrong, "egress ipip(4) C->fabric dropped",
                deliver(vc, ipipOut.formatted(C_IP), false, f, "vlan102", "ip proto 4") > 0, false);
        check(wrong, "spoofed source IP from A dropped",
                deliver(va, "IP(src='10.102.0.99',dst='" + Lab.FABRIC_IP + "')/ICMP()", false, f, "vlan102",
                        "src host 10.102.0.99") > 0, false);
        check(wrong, "spoofed source MAC from A dropped",
                deliver(va, "Ether(src='fa:16:3e:de:ad:01',dst='ff:ff:ff:ff:ff:ff')/IP(src='" + A_IP
                        + "',dst='" + Lab.FABRIC_IP + "')/UDP(sport=5000,dport=53)/Raw(b'spoof')", true, f,
                        "vlan102", "ether src fa:16:3e:de:ad:01") > 0, false);
        String dhcpOffer = "Ether(src='fa:16:3e:a0:00:05',dst='ff:ff:ff:ff:ff:ff')/IP(src='" + A_IP
                + "',dst='255.255.255.255')/UDP(sport=67,dport=68)/BOOTP(op=2,yiaddr='10.102.0.77')"
                + "/DHCP(options=[('message-type','offer'),'end'])";
        check(wrong, "A answering as a DHCP server dropped (fabric side)",
                deliver(va, dhcpOffer, true, f, "vlan102", "udp src port 67") > 0, false);
        check(wrong, "A answering as a DHCP server dropped (neighbour C)",
                deliver(va, dhcpOffer, true, vc, "eth0", "udp src port 67") > 0, false);
        check(wrong, "B on the other network (VLAN 103) does not reach the VLAN 102 fabric",
                vb.ping(Lab.FABRIC_IP), false);
        assertThat(wrong).as("unexpected outcomes").isEmpty();
    }

    private static void check(List<String> wrong, String what, boolean got, boolean want) {
        if (got != want) {
            wrong.add(what + ": got " + (got ? "delivered" : "dropped"));
        }
    }

    @Test
    void fabricSeesVlan102AndBridgesTranslateLocalVlans() throws Exception {
        String flows = Sh.checkIn(lab.hostNs, "ovs-ofctl", "dump-flows", "unix:" + lab.hostOvs.rundir()
                + "/br-ethx.mgmt");
        assertThat(flows).contains("dl_vlan=1 actions=mod_vlan_vid:102", "dl_vlan=2 actions=mod_vlan_vid:103");
        String intFlows = Sh.checkIn(lab.hostNs, "ovs-ofctl", "dump-flows", "unix:" + lab.hostOvs.rundir()
                + "/br-int.mgmt");
        assertThat(intFlows).contains("dl_vlan=102 actions=mod_vlan_vid:1", "dl_vlan=103 actions=mod_vlan_vid:2");
        Path capture = lab.dir.resolve("vlan.txt");
        Process tcpdump = new ProcessBuilder("ip", "netns", "exec", lab.fabricNs, "tcpdump", "-e", "-n", "-l", "-i",
                "fab0", "-c", "2", "vlan and icmp").redirectOutput(capture.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        lab.onClose(tcpdump::destroy);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            vm("a").ping(Lab.FABRIC_IP);
            return Files.readString(capture).contains("vlan 102");
        });
        assertThat(Files.readString(capture)).contains("vlan 102").contains(A_IP);
    }

    @Test
    void theArticlesIncidentIpInIpArrivesWithinTwoSecondsOfTheRule() throws Exception {
        LabPeer f = lab.fabric();
        LabPeer va = vm("a");
        String ipip = "IP(src='" + Lab.FABRIC_IP + "',dst='" + A_IP
                + "')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
        assertThat(deliver(f, ipip, false, va, "eth0", "ip proto 4")).as("dropped with the default rules").isZero();

        va.sniffStart("ipip", "eth0", "ip proto 4");
        v.addRule(sgA, ViewBuilder.ingress("4", null, null));
        long t0 = System.nanoTime();
        feed.publish(v.build());
        boolean applied = false;
        while (System.nanoTime() - t0 < 2_000_000_000L) {
            f.send(ipip, false);
            if (agent.inSync() && agent.appliedRevision() == currentRevision()) {
                applied = true;
                f.send(ipip, false);
                break;
            }
            Thread.onSpinWait();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int arrived = va.sniffStop("ipip");
        assertThat(applied).as("rule applied within 2 s (took %.2f s)", seconds).isTrue();
        assertThat(arrived).as("IP-in-IP packets that reached the VM").isPositive();
        String chain = "neutron-openvswi-i" + a.substring(0, 10);
        String counted = Sh.checkIn(lab.hostNs, "iptables-save", "-c", "-t", "filter").lines()
                .filter(l -> l.contains("-A " + chain + " ") && l.contains("-p ipencap -j RETURN")).findFirst()
                .orElseThrow();
        assertThat(Long.parseLong(counted.substring(1, counted.indexOf(':')))).as(counted).isPositive();
    }

    @Test
    void restartKeepsEstablishedConnectionsAndRewritesNothing() throws Exception {
        LabPeer f = lab.fabric();
        vm("a").tcpListen(22);
        assertThat(f.tcpConnect("c1", A_IP, 22) && f.tcpEcho("c1", "before")).isTrue();
        String raw = Sh.checkIn(lab.hostNs, "iptables-save", "-t", "raw").replaceAll("(?m)^#.*\n", "");
        String tags = lab.hostOvs.vsctl("--format=csv", "--columns=name,tag", "list", "Port");
        agent.close();
        assertThat(f.tcpEcho("c1", "while-down")).as("rules stay while the agent is down").isTrue();
        startAgent();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.inSync()
                && agent.appliedRevision() == currentRevision());
        assertThat(f.tcpEcho("c1", "after")).isTrue();
        assertThat(agent.metrics().restoreCalls("iptables-restore") + agent.metrics().restoreCalls("ip6tables-restore")
                + agent.metrics().restoreCalls("ipset")).as("restore processes run by the restarted agent").isZero();
        assertThat(Sh.checkIn(lab.hostNs, "iptables-save", "-t", "raw").replaceAll("(?m)^#.*\n", ""))
                .as("zones stable").isEqualTo(raw);
        assertThat(lab.hostOvs.vsctl("--format=csv", "--columns=name,tag", "list", "Port")).isEqualTo(tags);
    }

    @Test
    void removingARuleCutsTheEstablishedFlowsOnlyItAllowed() throws Exception {
        LabPeer f = lab.fabric();
        LabPeer va = vm("a");
        va.tcpListen(22);
        va.tcpListen(2222);
        v.addRule(sgA, ViewBuilder.ingress("tcp", 2222, 2222));
        publishAndWait();
        assertThat(f.tcpConnect("ssh", A_IP, 22) && f.tcpEcho("ssh", "1")).isTrue();
        assertThat(f.tcpConnect("other", A_IP, 2222) && f.tcpEcho("other", "1")).isTrue();
        v.removeRule(sgA, ssh.id());
        publishAndWait();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.conntrackPending() == 0);
        assertThat(f.tcpEcho("ssh", "2")).as("flow only the removed rule allowed").isFalse();
        assertThat(f.tcpEcho("other", "2")).as("flow another rule allows").isTrue();
    }

    @Test
    void aFailingRestoreKeepsTheNewPortBlockedUntilARetrySucceeds() throws Exception {
        LabPeer f = lab.fabric();
        Path stub = stubs.resolve("iptables-restore");
        Files.writeString(stub, "#!/bin/sh\necho 'tapguard test: failing iptables-restore stand-in' >&2\nexit 1\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        String d = ViewBuilder.uuid();
        v.port(d, lab.prefix + "-d", "net1", "fa:16:3e:a0:00:09", List.of(D_IP), sgA);
        feed.publish(v.build());
        await().atMost(Duration.ofSeconds(30)).until(() -> Sh.run("ip", "netns", "exec", lab.prefix + "-d", "true").ok()
                && lab.hostOvs.vsctl("--if-exists", "get", "Port", "qvo" + d.substring(0, 11), "tag").strip()
                .equals("4095"));
        lab.configureVm(lab.prefix + "-d", D_IP + "/24", null);
        assertThat(agent.inSync()).isFalse();
        for (int i = 0; i < 3; i++) {
            assertThat(f.ping(D_IP)).as("the new port stays blocked while restores fail").isFalse();
        }
        assertThat(Sh.checkIn(lab.hostNs, "iptables-save", "-t", "filter"))
                .contains("-A neutron-openvswi-guard -m physdev --physdev-in tap" + d.substring(0, 11));
        Files.delete(stub);
        await().atMost(Duration.ofSeconds(45)).until(() -> agent.inSync()
                && agent.appliedRevision() == currentRevision());
        assertThat(f.ping(D_IP)).as("reachable once the real iptables-restore is back").isTrue();
        assertThat(Sh.checkIn(lab.hostNs, "iptables-save", "-t", "filter")).doesNotContain("--physdev-in tap"
                + d.substring(0, 11) + " -m comment --comment \"tapguard");
    }
}
