package dev.tapguard.server.store;

/** A stored network with its provider segment. */
public record NetworkRow(String id, String projectId, String name, String description, boolean adminStateUp,
                         boolean shared, boolean routerExternal, int mtu, boolean portSecurityEnabled,
                         String networkType, String physicalNetwork, Integer segmentationId, long attrId,
                         long revisionNumber, long createdAt, long updatedAt) {
}
