package dev.tapguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.PortNames;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The compute node in namespaces: a host namespace with one Linux bridge per port (tap + qvb, br_netfilter with
 * bridge-nf-call-ip(6)tables=1), each VM a namespace behind its tap, the network a namespace behind the qvbs. The
 * rendered ruleset is loaded with ipset restore and iptables-restore / ip6tables-restore; real frames (scapy, raw
 * sockets) are sent for each probe, and {@code trace} must have predicted every verdict the kernel gave. Then the
 * kernel's counters are mapped back to the security-group rules.
 */
@Tag("privileged")
class KernelAgreesWithTracePrivilegedTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PA = "a1a1a1a1-0001-4000-8000-00000000000a";
    static final String PB = "b2b2b2b2-0002-4000-8000-00000000000b";
    static final String G1 = "5e010101-0001-4000-8000-000000000001";
    static final String G2 = "5e020202-0002-4000-8000-000000000002";
    static final String MAC_A = "fa:16:3e:aa:00:01";
    static final String MAC_B = "fa:16:3e:bb:00:02";
    static final String PEER_A = "02:00:00:00:0a:01";
    static final String PEER_B = "02:00:00:00:0b:01";
    static final String BRIDGE_MAC = "02:00:00:00:0a:fe";
    /** The driver's payload marker: "tgdx" + 6 digits of probe index + 6 digits of its pid. */
    static final int MARKER_LENGTH = 16;

    static HostView view() {
        List<SecurityGroupRule> g1 = new ArrayList<>();
        g1.add(r("in-ssh", G1, Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22, Remote.ANY));
        g1.add(r("in-ping", G1, Direction.INGRESS, Ethertype.IPv4, "icmp", 8, null, Remote.ANY));
        g1.add(r("in-ipip", G1, Direction.INGRESS, Ethertype.IPv4, "ipip", null, null, Remote.ANY));
        g1.add(r("in-udp-range", G1, Direction.INGRESS, Ethertype.IPv4, "udp", 5000, 5010,
                Views.prefix("198.51.100.0/24")));
        g1.add(r("in-web-members", G1, Direction.INGRESS, Ethertype.IPv4, "tcp", 80, 80, new Remote.Group(G1)));
        g1.add(r("in6-ping", G1, Direction.INGRESS, Ethertype.IPv6, "ipv6-icmp", 128, null, Remote.ANY));
        g1.add(r("in6-ipip", G1, Direction.INGRESS, Ethertype.IPv6, "4", null, null, Remote.ANY));
        g1.add(r("out-tcp", G1, Direction.EGRESS, Ethertype.IPv4, "tcp", null, null, Remote.ANY));
        g1.add(r("out-dns", G1, Direction.EGRESS, Ethertype.IPv4, "udp", 53, 53, Remote.ANY));
        g1.add(r("out6-any", G1, Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
        List<SecurityGroupRule> g2 = new ArrayList<>();
        g2.add(r("b-in-8080", G2, Direction.INGRESS, Ethertype.IPv4, "tcp", 8080, 8080, Remote.ANY));
        g2.add(r("b-out-any", G2, Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY));
        Port a = Views.port(PA, MAC_A, List.of("10.0.0.5", "2001:db8::5"), List.of(G1));
        Port b = Views.port(PB, MAC_B, List.of("10.0.0.6"), List.of(G2));
        Map<String, List<String>> members = new LinkedHashMap<>();
        members.put(G1, List.of("10.0.0.5", "2001:db8::5", "10.0.0.50"));
        members.put(G2, List.of("10.0.0.6"));
        return Views.view(List.of(a, b), List.of(Views.group(G1, true, g1), Views.group(G2, false, g2)), members);
    }

    static SecurityGroupRule r(String id, String g, Direction d, Ethertype e, String p, Integer min, Integer max,
                               Remote remote) {
        return Views.rule(id, g, d, e, p, min, max, remote);
    }

    /** One probe: what trace is asked, and the frame that is sent for it. */
    record KernelProbe(String id, Probe probe, String port, boolean toVm, boolean toHost, Map<String, Object> frame) {
    }

    static final class Probes {
        final List<KernelProbe> list = new ArrayList<>();
        int sport = 40000;

        void in(String id, String port, String src, int proto, Integer dport, Integer icmpType, String flags,
                CtState ct) {
            add(id, port, true, false, src, port.equals(PA) ? (src.contains(":") ? "2001:db8::5" : "10.0.0.5")
                    : "10.0.0.6", proto, dport, icmpType, flags, ct, null);
        }

        void out(String id, String port, String src, String dst, int proto, Integer dport, Integer icmpType,
                 String flags, CtState ct, String mac) {
            add(id, port, false, false, src, dst, proto, dport, icmpType, flags, ct, mac);
        }

        void add(String id, String port, boolean toVm, boolean toHost, String src, String dst, int proto,
                 Integer dport, Integer icmpType, String flags, CtState ct, String mac) {
            add(id, port, toVm, toHost, src, dst, proto, sport++, dport, icmpType, flags, ct, mac);
        }

        void add(String id, String port, boolean toVm, boolean toHost, String src, String dst, int proto,
                 int sp, Integer dport, Integer icmpType, String flags, CtState ct, String mac) {
            boolean ports = proto == 6 || proto == 17;
            String portMac = port.equals(PA) ? MAC_A : MAC_B;
            String peerMac = port.equals(PA) ? PEER_A : PEER_B;
            String srcMac = toVm ? peerMac : mac != null ? mac : portMac;
            String dstMac = toVm ? portMac : toHost ? BRIDGE_MAC : peerMac;
            Probe p = Probe.builder().name(id).port(port, toVm ? Direction.INGRESS : Direction.EGRESS)
                    .toHost(toHost).src(src).dst(dst).srcMac(srcMac).protocol(String.valueOf(proto))
                    .sport(ports ? sp : null).dport(ports ? dport : null).icmp(icmpType, icmpType == null ? null : 0)
                    .tcpFlags(proto == 6 ? (flags == null ? "SYN" : flags) : null).ct(ct).build();
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("src_mac", srcMac);
            f.put("dst_mac", dstMac);
            f.put("src", src);
            f.put("dst", dst);
            f.put("protocol", proto);
            if (ports) {
                f.put("sport", sp);
                f.put("dport", dport);
            }
            if (icmpType != null) {
                f.put("icmp_type", icmpType);
                f.put("icmp_code", 0);
            }
            if (proto == 6) {
                f.put("tcp_flags", flags == null ? "SYN" : flags);
                f.put("seq", 1000);
                f.put("ack", f.get("tcp_flags").toString().contains("ACK") ? 5000 : 0);
            }
            list.add(new KernelProbe(id, p, port, toVm, toHost, f));
        }

        /** The reply to the last probe: same ports reversed, the other way. */
        void replyToLast(String id, String flags, CtState ct) {
            KernelProbe last = list.get(list.size() - 1);
            Map<String, Object> lf = last.frame();
            boolean toVm = !last.toVm();
            String port = last.port();
            String portMac = port.equals(PA) ? MAC_A : MAC_B;
            String peerMac = port.equals(PA) ? PEER_A : PEER_B;
            int proto = (Integer) lf.get("protocol");
            Integer sp = (Integer) lf.get("dport");
            Integer dp = (Integer) lf.get("sport");
            String src = (String) lf.get("dst");
            String dst = (String) lf.get("src");
            Probe p = Probe.builder().name(id).port(port, toVm ? Direction.INGRESS : Direction.EGRESS).src(src)
                    .dst(dst).srcMac(toVm ? peerMac : portMac).protocol(String.valueOf(proto)).sport(sp).dport(dp)
                    .tcpFlags(flags).ct(ct).build();
            Map<String, Object> f = new LinkedHashMap<>(lf);
            f.put("src_mac", toVm ? peerMac : portMac);
            f.put("dst_mac", toVm ? portMac : peerMac);
            f.put("src", src);
            f.put("dst", dst);
            f.put("sport", sp);
            f.put("dport", dp);
            f.put("tcp_flags", flags);
            // a reply conntrack accepts: it acknowledges the SYN and the marker it carried
            f.put("seq", 5000);
            f.put("ack", (Integer) lf.get("seq") + 1 + MARKER_LENGTH);
            list.add(new KernelProbe(id, p, port, toVm, false, f));
        }
    }

    static List<KernelProbe> probes() {
        Probes p = new Probes();
        p.in("in-tcp-22", PA, "192.0.2.10", 6, 22, null, null, null);
        p.in("in-tcp-23", PA, "192.0.2.10", 6, 23, null, null, null);
        p.in("in-icmp-echo", PA, "192.0.2.10", 1, null, 8, null, null);
        p.in("in-icmp-timestamp", PA, "192.0.2.10", 1, null, 13, null, null);
        p.in("in-ipip-proto-4", PA, "192.0.2.10", 4, null, null, null, null);
        p.in("in-beet-proto-94", PA, "192.0.2.10", 94, null, null, null, null);
        p.in("in-gre-proto-47", PA, "192.0.2.10", 47, null, null, null, null);
        p.in("in-udp-5005-from-allowed-prefix", PA, "198.51.100.7", 17, 5005, null, null, null);
        p.in("in-udp-5005-from-elsewhere", PA, "192.0.2.10", 17, 5005, null, null, null);
        p.in("in-tcp-80-from-group-member", PA, "10.0.0.50", 6, 80, null, null, null);
        p.in("in-tcp-80-from-non-member", PA, "10.0.0.51", 6, 80, null, null, null);
        p.in("in-rst-to-22-invalid", PA, "192.0.2.10", 6, 22, null, "RST", CtState.INVALID);
        p.in("in-rst-to-23-invalid", PA, "192.0.2.10", 6, 23, null, "RST", CtState.INVALID);
        p.in("in-bare-ack-to-22-loose", PA, "192.0.2.10", 6, 22, null, "ACK", null);
        p.in("in-bare-ack-to-23-loose", PA, "192.0.2.10", 6, 23, null, "ACK", null);
        p.out("out-tcp-syn-80", PA, "10.0.0.5", "192.0.2.10", 6, 80, null, "SYN", null, null);
        p.replyToLast("in-tcp-synack-reply-established", "SYN,ACK", CtState.ESTABLISHED);
        p.out("out-udp-53", PA, "10.0.0.5", "192.0.2.53", 17, 53, null, null, null, null);
        p.out("out-udp-123", PA, "10.0.0.5", "192.0.2.53", 17, 123, null, null, null, null);
        p.out("out-icmp-echo", PA, "10.0.0.5", "192.0.2.10", 1, null, 8, null, null, null);
        p.out("out-spoofed-ip", PA, "10.0.0.99", "192.0.2.10", 6, 80, null, "SYN", null, null);
        p.out("out-spoofed-mac", PA, "10.0.0.5", "192.0.2.10", 6, 80, null, "SYN", null, "fa:16:3e:99:99:99");
        p.add("out-dhcp-discover", PA, false, false, "0.0.0.0", "255.255.255.255", 17, 68, 67, null, null, null,
                null);
        p.add("out-dhcp-server-offer", PA, false, false, "10.0.0.5", "10.0.0.77", 17, 67, 68, null, null, null,
                null);
        p.in("in6-neighbour-solicitation", PA, "2001:db8::1", 58, null, 135, null, CtState.ESTABLISHED);
        p.in("in6-echo", PA, "2001:db8::9", 58, null, 128, null, null);
        p.in("in6-router-advert", PA, "fe80::1", 58, null, 134, null, null);
        p.in("in6-tcp-22", PA, "2001:db8::9", 6, 22, null, null, null);
        p.in("in6-ipip-next-header-4", PA, "2001:db8::9", 4, null, null, null, null);
        p.in("in6-beet-next-header-94", PA, "2001:db8::9", 94, null, null, null, null);
        p.out("out6-router-advert", PA, "fe80::f816:3eff:feaa:1", "ff02::1", 58, null, 134, null, null, null);
        p.out("out6-echo", PA, "2001:db8::5", "2001:db8::9", 58, null, 128, null, null, null);
        p.add("to-host-udp-9999", PA, false, true, "10.0.0.5", "10.0.0.1", 17, 9999, null, null, null, null);
        p.in("stateless-in-tcp-8080", PB, "192.0.2.10", 6, 8080, null, null, null);
        p.out("stateless-out-tcp-9000", PB, "10.0.0.6", "192.0.2.10", 6, 9000, null, "SYN", null, null);
        p.replyToLast("stateless-in-synack-reply-untracked", "SYN,ACK", CtState.ESTABLISHED);
        return p.list;
    }

    @Test
    void traceGivesTheVerdictTheKernelGivesForEveryProbe() throws IOException {
        assertThat(NetnsLab.isRoot()).as("privileged tests run as root (CI does); skip them with "
                + "-DexcludedGroups=privileged").isTrue();
        HostView view = view();
        RenderResult rendered = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
        Tracer tracer = Tracer.forRuleset(rendered.ruleset(), view);
        HostNames names = HostNames.of(List.of(PA, PB), view.securityGroups().keySet());
        List<KernelProbe> probes = probes();

        try (NetnsLab lab = new NetnsLab()) {
            String host = lab.namespace("host");
            String vmA = lab.namespace("vma");
            String vmB = lab.namespace("vmb");
            String net = lab.namespace("net");
            lab.in(host, null, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
            for (String ns : List.of(vmA, vmB, net)) {
                lab.in(ns, null, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                lab.in(ns, null, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            }
            plug(lab, host, vmA, net, names.port(PA), MAC_A, "pa", PEER_A);
            plug(lab, host, vmB, net, names.port(PB), MAC_B, "pb", PEER_B);
            lab.ip(host, "link", "set", names.port(PA).qbr(), "address", BRIDGE_MAC);
            lab.ip(host, "addr", "add", "10.0.0.1/24", "dev", names.port(PA).qbr());
            lab.in(host, null, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1",
                    "net.bridge.bridge-nf-call-ip6tables=1");
            load(lab, host, rendered);

            Map<String, Boolean> kernel = send(lab, probes, host, vmA, vmB, net);

            List<String> table = new ArrayList<>();
            List<String> disagree = new ArrayList<>();
            for (KernelProbe kp : probes) {
                Trace t = tracer.trace(kp.probe());
                boolean delivered = kernel.get(kp.id());
                String line = String.format(Locale.ROOT, "%-40s kernel %-9s trace %-8s %s", kp.id(),
                        delivered ? "DELIVERED" : "DROPPED", t.verdict(), why(t));
                table.add(line);
                if (delivered != t.allowed() || !t.decided()) {
                    disagree.add(line + "\n" + TraceText.format(t));
                }
            }
            System.out.println("probe results (kernel vs trace):\n" + String.join("\n", table));
            assertThat(disagree).as("probes where trace and the kernel disagree").isEmpty();
            assertThat(kernel.values()).contains(true, false);

            // the kernel's counters, mapped back to the security-group rules
            Map<Family, SaveDump> dumps = new EnumMap<>(Family.class);
            dumps.put(Family.IPV4, IptablesSaveParser.parse(lab.in(host, null, "iptables-save", "-c")));
            dumps.put(Family.IPV6, IptablesSaveParser.parse(lab.in(host, null, "ip6tables-save", "-c")));
            assertThat(dumps.get(Family.IPV4).warnings()).isEmpty();
            assertThat(dumps.get(Family.IPV6).warnings()).isEmpty();
            CounterReport report = CounterMapper.map(rendered.ruleset(), view, PA, dumps);
            System.out.println(CounterMapper.text(report));
            assertThat(report.missing()).as("rendered rules the kernel does not have").isEmpty();
            assertThat(report.unexpected()).isEmpty();
            assertThat(report.totals()).filteredOn(x -> x.securityGroupRuleId().equals("in-ssh")).singleElement()
                    .satisfies(x -> assertThat(x.packets()).isEqualTo(3));
            assertThat(report.totals()).filteredOn(x -> x.securityGroupRuleId().equals("in-ipip")).singleElement()
                    .satisfies(x -> assertThat(x.packets()).isEqualTo(1));
        }
    }

    private static String why(Trace t) {
        Trace.Decision d = t.decision();
        if (d.provenance() != null && d.provenance().securityGroupRuleId() != null) {
            return "rule " + d.provenance().securityGroupRuleId();
        }
        if (d.provenance() != null) {
            return d.provenance().role().name().toLowerCase(Locale.ROOT);
        }
        return d.chain() + " policy " + d.policy();
    }

    private static void plug(NetnsLab lab, String host, String vm, String net, PortNames n, String mac, String peer,
                             String peerMac) {
        lab.ip(host, "link", "add", n.qbr(), "type", "bridge");
        lab.ip(host, "link", "add", n.tap(), "type", "veth", "peer", "name", "eth0", "netns", vm);
        lab.ip(host, "link", "add", n.qvb(), "type", "veth", "peer", "name", peer, "netns", net);
        lab.ip(host, "link", "set", n.tap(), "master", n.qbr());
        lab.ip(host, "link", "set", n.qvb(), "master", n.qbr());
        lab.ip(vm, "link", "set", "eth0", "address", mac);
        lab.ip(net, "link", "set", peer, "address", peerMac);
        for (String dev : List.of(n.qbr(), n.tap(), n.qvb())) {
            lab.ip(host, "link", "set", dev, "up");
        }
        lab.ip(vm, "link", "set", "eth0", "up");
        lab.ip(net, "link", "set", peer, "up");
    }

    private static void load(NetnsLab lab, String host, RenderResult r) {
        StringBuilder sets = new StringBuilder();
        for (IpSet s : r.ruleset().ipsets()) {
            sets.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily()).append('\n');
            for (String m : s.members()) {
                sets.append("add ").append(s.name()).append(' ').append(m).append('\n');
            }
        }
        lab.in(host, sets.toString(), "ipset", "restore");
        lab.in(host, IptablesSavePrinter.print(r.ruleset().tables(Family.IPV4)), "iptables-restore");
        lab.in(host, IptablesSavePrinter.print(r.ruleset().tables(Family.IPV6)), "ip6tables-restore");
    }

    private static Map<String, Boolean> send(NetnsLab lab, List<KernelProbe> probes, String host, String vmA,
                                             String vmB, String net) throws IOException {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("timeout", 0.6);
        ArrayNode arr = spec.putArray("probes");
        for (KernelProbe kp : probes) {
            ObjectNode o = arr.addObject();
            o.put("id", kp.id());
            String vm = kp.port().equals(PA) ? vmA : vmB;
            String peer = kp.port().equals(PA) ? "pa" : "pb";
            ArrayNode send = o.putArray("send");
            ArrayNode recv = o.putArray("recv");
            if (kp.toVm()) {
                send.add(net).add(peer);
                recv.add(vm).add("eth0");
            } else if (kp.toHost()) {
                send.add(vm).add("eth0");
                recv.add("udp").add(host).add("10.0.0.1").add(9999);
            } else {
                send.add(vm).add("eth0");
                recv.add(net).add(peer);
            }
            o.set("frame", JSON.valueToTree(kp.frame()));
        }
        Path specFile = lab.dir.resolve("probes.json");
        Files.writeString(specFile, JSON.writeValueAsString(spec));
        Path driver = lab.dir.resolve("probe_driver.py");
        try (InputStream in = KernelAgreesWithTracePrivilegedTest.class.getResourceAsStream(
                "/privileged/probe_driver.py")) {
            Files.write(driver, in.readAllBytes());
        }
        String out = NetnsLab.run(List.of("/usr/bin/python3", driver.toString(), specFile.toString()), null);
        JsonNode results = JSON.readTree(out).get("results");
        Map<String, Boolean> m = new LinkedHashMap<>();
        results.forEach(r -> m.put(r.get("id").asText(), r.get("delivered").asBoolean()));
        return m;
    }
}
