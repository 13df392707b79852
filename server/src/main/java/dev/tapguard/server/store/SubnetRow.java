package dev.tapguard.server.store;

/** A stored subnet; pools, name servers and host routes are kept as the JSON the API shows. */
public record SubnetRow(String id, String projectId, String networkId, String name, String description,
                        int ipVersion, String cidr, String gatewayIp, boolean enableDhcp, String ipv6RaMode,
                        String ipv6AddressMode, String allocationPools, String dnsNameservers, String hostRoutes,
                        long attrId, long revisionNumber, long createdAt, long updatedAt) {
}
