package dev.tapguard.render;

/** The comment texts of Neutron's {@code iptables_comments.py}, byte for byte. */
final class NeutronComments {
    private NeutronComments() {
    }

    static final String UNMATCH_DROP = "Default drop rule for unmatched traffic.";
    static final String VM_INT_SG = "Direct traffic from the VM interface to the security group chain.";
    static final String SG_TO_VM_SG = "Jump to the VM specific chain.";
    static final String INPUT_TO_SG = "Direct incoming traffic from VM to the security group chain.";
    static final String PAIR_ALLOW = "Allow traffic from defined IP/MAC pairs.";
    static final String PAIR_DROP = "Drop traffic without an IP/MAC allow rule.";
    static final String DHCP_CLIENT = "Allow DHCP client traffic.";
    static final String DHCP_SPOOF = "Prevent DHCP Spoofing by VM.";
    static final String UNMATCHED = "Send unmatched traffic to the fallback chain.";
    static final String INVALID_DROP = "Drop packets that appear related to an existing connection "
            + "(e.g. TCP ACK/FIN) but do not have an entry in conntrack.";
    static final String ALLOW_ASSOC = "Direct packets associated with a known session to the RETURN chain.";
    static final String PORT_SEC_ACCEPT = "Accept all packets when port security is disabled.";
    static final String TRUSTED_ACCEPT = "Accept all packets when port is trusted.";
    static final String IPV6_RA_DROP = "Drop IPv6 Router Advts from VM Instance.";
    static final String IPV6_ICMP_ALLOW = "Allow IPv6 ICMP traffic.";
}
