package dev.tapguard.render;

/** The comment texts of Neutron's {@code iptables_comments.py}, byte for byte. */
public final class NeutronComments {
    private NeutronComments() {
    }

    public static final String UNMATCH_DROP = "Default drop rule for unmatched traffic.";
    public static final String VM_INT_SG = "Direct traffic from the VM interface to the security group chain.";
    public static final String SG_TO_VM_SG = "Jump to the VM specific chain.";
    public static final String INPUT_TO_SG = "Direct incoming traffic from VM to the security group chain.";
    public static final String PAIR_ALLOW = "Allow traffic from defined IP/MAC pairs.";
    public static final String PAIR_DROP = "Drop traffic without an IP/MAC allow rule.";
    public static final String DHCP_CLIENT = "Allow DHCP client traffic.";
    public static final String DHCP_SPOOF = "Prevent DHCP Spoofing by VM.";
    public static final String UNMATCHED = "Send unmatched traffic to the fallback chain.";
    public static final String INVALID_DROP = "Drop packets that appear related to an existing connection "
            + "(e.g. TCP ACK/FIN) but do not have an entry in conntrack.";
    public static final String ALLOW_ASSOC = "Direct packets associated with a known session to the RETURN chain.";
    public static final String PORT_SEC_ACCEPT = "Accept all packets when port security is disabled.";
    public static final String TRUSTED_ACCEPT = "Accept all packets when port is trusted.";
    public static final String IPV6_RA_DROP = "Drop IPv6 Router Advts from VM Instance.";
    public static final String IPV6_ICMP_ALLOW = "Allow IPv6 ICMP traffic.";
}
