package dev.tapguard.model;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One security-group rule as Neutron stores it. {@code protocol} is the stored string (a Neutron name or a decimal
 * number, e.g. "4", "ipip", "ipv6-icmp") or null for any; for ICMP the port range holds type (min) and code (max).
 * Values are not re-validated here: legacy rows that the API would now reject are representable, as in Neutron.
 */
public record SecurityGroupRule(
        String id,
        String securityGroupId,
        String projectId,
        Direction direction,
        Ethertype ethertype,
        String protocol,
        Integer portRangeMin,
        Integer portRangeMax,
        Remote remote,
        String description) {

    public SecurityGroupRule {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(ethertype, "ethertype");
        remote = remote == null ? Remote.ANY : remote;
    }

    public String remoteIpPrefix() {
        return remote instanceof Remote.IpPrefix p ? p.remoteIpPrefix() : null;
    }

    public String normalizedCidr() {
        return remote instanceof Remote.IpPrefix p ? p.normalizedCidr() : null;
    }

    public String remoteGroupId() {
        return remote instanceof Remote.Group g ? g.remoteGroupId() : null;
    }

    public String remoteAddressGroupId() {
        return remote instanceof Remote.AddressGroup g ? g.remoteAddressGroupId() : null;
    }

    /** The IP protocol number this rule means, empty for "any". */
    public OptionalInt protocolNumber() {
        return Protocols.number(protocol);
    }

    public SecurityGroupRule withId(String newId) {
        return new SecurityGroupRule(newId, securityGroupId, projectId, direction, ethertype, protocol, portRangeMin,
                portRangeMax, remote, description);
    }

    public SecurityGroupRule withSecurityGroupId(String groupId) {
        return new SecurityGroupRule(id, groupId, projectId, direction, ethertype, protocol, portRangeMin,
                portRangeMax, remote, description);
    }
}
