package dev.tapguard.netfilter;

/**
 * Why a rule exists: the port it serves, the security group and rule behind it (null where not applicable), and
 * its role in the layout. It travels beside the rule and is never printed, so the kernel text stays Neutron's.
 */
public record Provenance(String portId, String securityGroupId, String securityGroupRuleId, Role role) {

    /** The part of Neutron's hybrid layout a rule plays. */
    public enum Role {
        /** Built-in chain hooks, neutron-filter-top, local, sg-chain's final ACCEPT. */
        SKELETON,
        /** FORWARD/sg-chain/INPUT jumps that send a port's traffic to its chains. */
        PORT_DISPATCH,
        /** A security-group rule of the port's groups. */
        SECURITY_GROUP_RULE,
        /** DHCP/DHCPv6 replies and router adverts the server allows for every port. */
        PROVIDER_RULE,
        /** Neighbour discovery and MLD that ingress always allows (ICMPv6 130, 135, 136). */
        ICMPV6_INGRESS,
        /** DHCP client, DAD/MLD from ::, and all other ICMPv6 that egress always allows. */
        EGRESS_ALLOW,
        /** DHCP server replies and router adverts a VM may not send. */
        EGRESS_DROP,
        /** The jump to and the rules of the anti-spoofing chain. */
        ANTI_SPOOF,
        /** RELATED,ESTABLISHED return. */
        STATE_ASSOC,
        /** INVALID drop. */
        INVALID_DROP,
        /** Jump to sg-fallback and its DROP: nothing allowed the packet. */
        FALLBACK,
        /** ACCEPT for a port whose port_security_enabled is false. */
        PORT_SECURITY_DISABLED,
        /** ACCEPT for a trusted (network:*) port. */
        TRUSTED,
        /** raw-table CT zone or NOTRACK for a port. */
        CONNTRACK,
        /** A rule Tapguard did not write. */
        FOREIGN
    }

    public static Provenance of(Role role) {
        return new Provenance(null, null, null, role);
    }

    public static Provenance port(String portId, Role role) {
        return new Provenance(portId, null, null, role);
    }

    public Provenance withPort(String id) {
        return new Provenance(id, securityGroupId, securityGroupRuleId, role);
    }
}
