package dev.tapguard.model;

/**
 * A security-group rule as a client sent it, before Neutron's converters ran: values keep their JSON types
 * (a protocol may be a number or a string, a port a string). {@code ethertypeGiven=false} means the attribute was
 * absent, so Neutron's default IPv4 applies.
 */
public record RuleRequest(
        String id,
        String securityGroupId,
        String projectId,
        Object direction,
        Object ethertype,
        boolean ethertypeGiven,
        Object protocol,
        Object portRangeMin,
        Object portRangeMax,
        Object remoteIpPrefix,
        String remoteGroupId,
        String remoteAddressGroupId,
        String description) {

    /** A request with the usual fields; ethertype null means "not given" (IPv4). */
    public static RuleRequest of(String securityGroupId, String direction, String ethertype, Object protocol,
                                 Object portRangeMin, Object portRangeMax, String remoteIpPrefix,
                                 String remoteGroupId) {
        return new RuleRequest(null, securityGroupId, null, direction, ethertype, ethertype != null, protocol,
                portRangeMin, portRangeMax, remoteIpPrefix, remoteGroupId, null, null);
    }
}
