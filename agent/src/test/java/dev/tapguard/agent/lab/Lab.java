package dev.tapguard.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compute node built from namespaces (LAB_NOTES): the host namespace with its own Open vSwitch (br-int is the
 * agent's; br-ethx is the operator's, with the uplink {@code eth1}), and a fabric namespace behind br-ethx whose own
 * OVS bridge terminates VLAN 102 on an internal port {@code vlan102} (10.102.0.100/24, 2001:db8:102::100/64).
 * Everything is named with this lab's prefix and removed on close, also after a failure.
 */
public final class Lab implements AutoCloseable {
    public static final String FABRIC_IP = "10.102.0.100";
    public static final String FABRIC_IP6 = "2001:db8:102::100";
    public final String prefix;
    public final String hostNs;
    public final String fabricNs;
    public final Path dir;
    public PrivateOvs hostOvs;
    public PrivateOvs fabricOvs;
    private final Path script;
    private final Map<String, LabPeer> peers = new LinkedHashMap<>();
    private final List<AutoCloseable> extra = new ArrayList<>();

    public Lab() throws IOException {
        prefix = Sh.prefix();
        hostNs = prefix + "-host";
        fabricNs = prefix + "-fab";
        dir = Files.createTempDirectory(prefix + "-");
        script = LabPeer.script();
        try {
            build();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void build() throws IOException {
        Sh.check("ip", "netns", "add", hostNs);
        Sh.checkIn(hostNs, "ip", "link", "set", "lo", "up");
        Sh.checkIn(hostNs, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1",
                "net.bridge.bridge-nf-call-ip6tables=1");
        hostOvs = new PrivateOvs(hostNs, dir.resolve("ovs-host"));
        hostOvs.vsctl("add-br", "br-ethx", "--", "set", "Bridge", "br-ethx", "datapath_type=netdev");

        Sh.check("ip", "netns", "add", fabricNs);
        Sh.checkIn(fabricNs, "ip", "link", "set", "lo", "up");
        fabricOvs = new PrivateOvs(fabricNs, dir.resolve("ovs-fab"));
        fabricOvs.vsctl("add-br", "br-fab", "--", "set", "Bridge", "br-fab", "datapath_type=netdev");
        Sh.checkIn(hostNs, "ip", "link", "add", "eth1", "type", "veth", "peer", "name", "fab0");
        Sh.checkIn(hostNs, "ip", "link", "set", "fab0", "netns", fabricNs);
        Sh.checkIn(hostNs, "ethtool", "-K", "eth1", "tx", "off");
        Sh.checkIn(fabricNs, "ethtool", "-K", "fab0", "tx", "off");
        Sh.checkIn(hostNs, "ip", "link", "set", "eth1", "up");
        Sh.checkIn(fabricNs, "ip", "link", "set", "fab0", "up");
        hostOvs.vsctl("add-port", "br-ethx", "eth1");
        fabricOvs.vsctl("add-port", "br-fab", "fab0");
        fabricOvs.vsctl("add-port", "br-fab", "vlan102", "tag=102", "--", "set", "Interface", "vlan102",
                "type=internal");
        Sh.checkIn(fabricNs, "ip", "link", "set", "vlan102", "up");
        Sh.run("ip", "netns", "exec", fabricNs, "ethtool", "-K", "vlan102", "tx", "off");
        Sh.checkIn(fabricNs, "ip", "addr", "add", FABRIC_IP + "/24", "dev", "vlan102");
        Sh.checkIn(fabricNs, "ip", "addr", "add", FABRIC_IP6 + "/64", "dev", "vlan102", "nodad");
    }

    /** The lab peer of a namespace (started on first use). */
    public LabPeer peer(String ns) throws IOException {
        LabPeer p = peers.get(ns);
        if (p == null) {
            p = new LabPeer(ns, ns.equals(fabricNs) ? "vlan102" : "eth0", script);
            peers.put(ns, p);
        }
        return p;
    }

    public LabPeer fabric() throws IOException {
        return peer(fabricNs);
    }

    /** Configures a VM namespace the agent created: its addresses (the guest's job, no DHCP in the lab). */
    public void configureVm(String vmNs, String cidr4, String cidr6) {
        Sh.checkIn(vmNs, "ip", "addr", "add", cidr4, "dev", "eth0");
        if (cidr6 != null) {
            Sh.checkIn(vmNs, "ip", "addr", "add", cidr6, "dev", "eth0", "nodad");
        }
    }

    public void onClose(AutoCloseable c) {
        extra.add(c);
    }

    @Override
    public void close() {
        for (int i = extra.size() - 1; i >= 0; i--) {
            try {
                extra.get(i).close();
            } catch (Exception e) {
                // keep cleaning
            }
        }
        peers.values().forEach(LabPeer::close);
        if (hostOvs != null) {
            hostOvs.close();
        }
        if (fabricOvs != null) {
            fabricOvs.close();
        }
        Sh.deleteNamespaces(prefix);
        Sh.run("rm", "-rf", dir.toString());
    }
}
