package dev.tapguard.model;

/** A Neutron network with its provider attributes (VLAN segmentation id, physical network). */
public record Network(String id, String name, String projectId, boolean adminStateUp, String networkType,
                      String physicalNetwork, Integer segmentationId) {
}
