package dev.tapguard.model;

import java.util.List;
import java.util.Objects;

/**
 * A Neutron port. {@code portSecurityEnabled} null means "not loaded", which Neutron's agent treats as enabled.
 * A port whose {@code deviceOwner} starts with {@code network:} is trusted (DHCP, router) and is not filtered.
 */
public record Port(
        String id,
        String name,
        String projectId,
        String networkId,
        String macAddress,
        List<FixedIp> fixedIps,
        List<AllowedAddressPair> allowedAddressPairs,
        Boolean portSecurityEnabled,
        List<String> securityGroups,
        String deviceOwner,
        String deviceId,
        String bindingHostId) {

    public Port {
        Objects.requireNonNull(id, "id");
        fixedIps = List.copyOf(fixedIps == null ? List.of() : fixedIps);
        allowedAddressPairs = List.copyOf(allowedAddressPairs == null ? List.of() : allowedAddressPairs);
        securityGroups = List.copyOf(securityGroups == null ? List.of() : securityGroups);
        deviceOwner = deviceOwner == null ? "" : deviceOwner;
    }

    /** Neutron's DEVICE_OWNER_PREFIXES check: network:* ports are trusted. */
    public boolean trusted() {
        return deviceOwner.startsWith("network:");
    }

    /** Owners whose ports are always stateful in Neutron's raw table (network:* and neutron:*). */
    public boolean alwaysStateful() {
        return deviceOwner.startsWith("network:") || deviceOwner.startsWith("neutron:");
    }

    public boolean portSecurity() {
        return portSecurityEnabled == null || portSecurityEnabled;
    }

    public List<String> fixedIpAddresses() {
        return fixedIps.stream().map(FixedIp::ipAddress).toList();
    }
}
