package dev.tapguard.server.store;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.FixedIp;
import java.util.List;

/** A stored port with its addresses, allowed address pairs and groups (each list in stored order). */
public record PortRow(String id, String projectId, String networkId, String name, String description,
                      String macAddress, boolean adminStateUp, String status, String deviceId, String deviceOwner,
                      boolean portSecurityEnabled, String bindingHostId, String bindingProfile,
                      String bindingVnicType, long attrId, long revisionNumber, long createdAt, long updatedAt,
                      List<FixedIp> fixedIps, List<AllowedAddressPair> allowedAddressPairs,
                      List<String> securityGroups) {

    public PortRow {
        fixedIps = List.copyOf(fixedIps);
        allowedAddressPairs = List.copyOf(allowedAddressPairs);
        securityGroups = List.copyOf(securityGroups);
    }

    public List<String> fixedIpAddressesOrEmpty() {
        return fixedIps.stream().map(FixedIp::ipAddress).toList();
    }
}
