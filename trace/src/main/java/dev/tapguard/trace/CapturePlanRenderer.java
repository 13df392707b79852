package dev.tapguard.trace;

import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.render.PortNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds a port's capture plan from what is known about it: its devices (from {@link PortNames}), its network's
 * provider attributes, the local VLAN the OVS agent gave it on br-int (null when not known), the physical bridge and
 * NIC of its physical network. Pure.
 */
public final class CapturePlanRenderer {
    private CapturePlanRenderer() {
    }

    /** The article's filter: what is neither TCP, UDP, ICMP nor ARP (IP-in-IP, GRE, ESP, BEET, VRRP...). */
    public static final String NON_TCP_UDP_ICMP_ARP = "not icmp and not udp and not tcp and not arp";

    /** Inputs; {@code network}, {@code localVlan}, {@code physicalBridge}, {@code nic}, {@code filter} may be null. */
    public record Input(Port port, PortNames names, Network network, Integer localVlan, String integrationBridge,
                        String physicalBridge, String nic, String filter) {
    }

    public static CapturePlan plan(Input in) {
        PortNames n = in.names();
        Network net = in.network();
        String type = net == null || net.networkType() == null ? "vlan" : net.networkType().toLowerCase(Locale.ROOT);
        Integer seg = net == null ? null : net.segmentationId();
        String physnet = net == null ? null : net.physicalNetwork();
        String brInt = in.integrationBridge() == null ? "br-int" : in.integrationBridge();
        String phys = in.physicalBridge() != null ? in.physicalBridge()
                : physnet == null ? "br-ethx" : "br-" + physnet;
        String filter = in.filter() == null || in.filter().isBlank() ? null : in.filter().strip();
        String local = in.localVlan() == null ? null : String.valueOf(in.localVlan());
        String localWord = local != null ? local : "<local VLAN: ovs-vsctl get Port " + n.qvo() + " tag>";
        List<String> notes = new ArrayList<>();
        List<CapturePlan.Hop> hops = new ArrayList<>();

        hops.add(new CapturePlan.Hop("A", "VM interface", "eth0", "inside the instance (console or ssh)",
                "tcpdump -nei eth0" + quoted(filter), null, "the guest's name for the port's NIC may differ"));
        hops.add(new CapturePlan.Hop("B", "tap device (VM side of the Linux bridge)", n.tap(), "compute host",
                "tcpdump -nei " + n.tap() + quoted(filter), null, null));
        hops.add(new CapturePlan.Hop("C", "Linux bridge (the security group filters here)", n.qbr(), "compute host",
                "tcpdump -nei " + n.qbr() + quoted(filter), null,
                "sees a frame after the raw table, before filter FORWARD decides"));
        hops.add(new CapturePlan.Hop("D", "veth, bridge side", n.qvb(), "compute host",
                "tcpdump -nei " + n.qvb() + quoted(filter), null, null));
        hops.add(new CapturePlan.Hop("E", "veth, " + brInt + " side", n.qvo(), "compute host",
                "tcpdump -nei " + n.qvo() + quoted(filter), null, "untagged on the veth; inside " + brInt
                + " the frame carries local VLAN " + localWord + ": ovs-tcpdump -i " + n.qvo() + " -nne"
                + quoted(vlan(local, filter))));
        String localVlan = "local VLAN " + localWord;
        switch (type) {
            case "vxlan", "gre", "geneve" -> {
                hops.add(new CapturePlan.Hop("F", "patch " + brInt + " <-> br-tun", "patch-tun", "compute host",
                        "ovs-tcpdump --span -i patch-tun -nne" + quoted(vlan(local, filter)), localVlan,
                        "a patch port is OVS-only and cannot be mirrored alone (ovs-tcpdump -i patch-tun sees "
                        + "nothing): --span mirrors every port of " + brInt + ", where the frame carries the "
                        + "local VLAN"));
                String outer = switch (type) {
                    case "vxlan" -> "udp port 4789";
                    case "geneve" -> "udp port 6081";
                    default -> "ip proto 47";
                };
                hops.add(new CapturePlan.Hop("G", "tunnel underlay NIC", in.nic() == null ? "<underlay NIC>"
                        : in.nic(), "compute host", "tcpdump -nei " + (in.nic() == null ? "<underlay NIC>"
                        : in.nic()) + " '" + outer + "'", null, type.toUpperCase(Locale.ROOT) + " encapsulated, "
                        + (seg == null ? "" : "VNI/key " + seg + "; ") + "the inner frame is the VM's"));
            }
            case "local" -> notes.add("a local network never leaves " + brInt);
            default -> {
                boolean flat = type.equals("flat");
                String segWord = flat ? "untagged" : "VLAN " + (seg == null ? "<segmentation id>" : seg);
                String intPatch = "int-" + phys;
                String phyPatch = "phy-" + phys;
                hops.add(new CapturePlan.Hop("F", "patch " + brInt + " <-> " + phys, intPatch + " / " + phyPatch,
                        "compute host", "ovs-tcpdump --span -i " + intPatch + " -nne" + quoted(vlan(local, filter)),
                        "from the VM: " + localVlan + "; towards the VM: " + segWord,
                        phys + " rewrites the local VLAN to " + segWord + " on the way out, " + brInt
                        + " rewrites it back on the way in. A patch port cannot be mirrored alone (ovs-tcpdump -i "
                        + intPatch + " sees nothing): --span mirrors every port of " + brInt + ", where the frame "
                        + "carries the local VLAN; ovs-tcpdump --span -i " + phyPatch + " -nne"
                        + quoted(vlanAny(filter)) + " mirrors " + phys + ", where it carries " + segWord));
                String nic = in.nic() == null ? "<NIC of " + phys + ">" : in.nic();
                hops.add(new CapturePlan.Hop("G", "physical NIC", nic, "compute host", "tcpdump -nei " + nic
                        + quoted(flat ? filter : vlan(seg == null ? null : String.valueOf(seg), filter)),
                        flat ? null : segWord, flat ? null : "the segmentation VLAN of network "
                        + (net == null ? "?" : net.id())));
            }
        }
        String sits = "between C (" + n.qbr() + ") and B (" + n.tap() + "): iptables FORWARD on the Linux bridge, "
                + "chains " + n.chain("neutron-openvswi", 'i') + " (ingress) and " + n.chain("neutron-openvswi", 'o')
                + " (egress). A packet seen at C but not at B (ingress), or at B but not at C (egress), was dropped "
                + "by the security group: trace it with tapguard trace --port " + n.portId();
        if (in.port() != null && in.port().macAddress() != null) {
            notes.add("the port's MAC is " + in.port().macAddress() + ": add 'ether host " + in.port().macAddress()
                    + "' to a filter to see only its frames");
        }
        if (in.localVlan() == null) {
            notes.add("the local VLAN is assigned by the OVS agent; read it with: ovs-vsctl get Port " + n.qvo() + " tag");
        }
        return new CapturePlan(n.portId(), type, hops, sits, filter, NON_TCP_UDP_ICMP_ARP, notes);
    }

    private static String vlan(String id, String filter) {
        String v = id == null ? "vlan" : "vlan " + id;
        return filter == null ? v : v + " and (" + filter + ")";
    }

    private static String vlanAny(String filter) {
        return filter == null ? "vlan" : "vlan and (" + filter + ")";
    }

    private static String quoted(String filter) {
        return filter == null ? "" : " '" + filter + "'";
    }

    /** A tcpdump filter for one packet: its hosts, protocol and destination port. */
    public static String filterFor(String src, String dst, Integer protocol, Integer dport) {
        List<String> parts = new ArrayList<>();
        if (src != null) {
            parts.add("host " + src);
        }
        if (dst != null) {
            parts.add("host " + dst);
        }
        boolean v6 = src != null && src.contains(":") || dst != null && dst.contains(":");
        if (protocol != null) {
            switch (protocol) {
                case 6 -> parts.add(dport == null ? "tcp" : "tcp port " + dport);
                case 17 -> parts.add(dport == null ? "udp" : "udp port " + dport);
                case 1 -> parts.add("icmp");
                case 58 -> parts.add("icmp6");
                default -> parts.add((v6 ? "ip6 proto " : "ip proto ") + protocol);
            }
        }
        return parts.isEmpty() ? null : String.join(" and ", parts);
    }

    /** The plan as text. */
    public static String text(CapturePlan p) {
        StringBuilder sb = new StringBuilder();
        sb.append("Capture plan for port ").append(p.portId()).append(" (").append(p.networkType())
                .append(" network)\n\n");
        for (CapturePlan.Hop h : p.hops()) {
            sb.append(h.letter()).append(". ").append(h.name()).append(": ").append(h.device()).append('\n');
            sb.append("   ").append(h.where()).append(": ").append(h.command()).append('\n');
            sb.append("   expected 802.1Q tag: ").append(h.vlan() == null ? "none (untagged)" : h.vlan()).append('\n');
            if (h.note() != null) {
                sb.append("   ").append(h.note()).append('\n');
            }
            if (h.letter().equals("B")) {
                sb.append("   --- the security group sits here, between B and C ---\n");
            }
        }
        sb.append("\nSecurity group: ").append(p.securityGroupSits()).append('\n');
        sb.append("Traffic that is not TCP, UDP, ICMP or ARP (the article's filter): tcpdump -ni any '")
                .append(p.nonTcpUdpIcmpArpFilter()).append("'\n");
        for (String n : p.notes()) {
            sb.append("note: ").append(n).append('\n');
        }
        return sb.toString();
    }
}
