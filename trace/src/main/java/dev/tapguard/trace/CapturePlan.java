package dev.tapguard.trace;

import java.util.List;

/**
 * Where to capture a port's traffic, hop by hop, on a hybrid compute node: VM eth0 (A), tap (B), qbr (C), qvb (D),
 * qvo on br-int with the local VLAN (E), the patch to the physical bridge (F), the physical NIC with the
 * segmentation VLAN (G); each hop with a ready-to-paste command and the 802.1Q tag expected there; where the security
 * group sits between them; and the article's filter for traffic that is not TCP, UDP, ICMP or ARP.
 */
public record CapturePlan(String portId, String networkType, List<Hop> hops, String securityGroupSits,
                          String filter, String nonTcpUdpIcmpArpFilter, List<String> notes) {

    public CapturePlan {
        hops = List.copyOf(hops);
        notes = List.copyOf(notes);
    }

    /**
     * One capture point: its letter as in the article's figure, what it is, the device, where the command runs, the
     * command, the VLAN tag expected there (null: untagged), and a note (an alternative command, or direction).
     */
    public record Hop(String letter, String name, String device, String where, String command, String vlan,
                      String note) {
    }
}
