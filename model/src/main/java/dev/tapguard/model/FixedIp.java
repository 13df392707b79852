package dev.tapguard.model;

/** An address allocated to a port on a subnet. */
public record FixedIp(String ipAddress, String subnetId) {
}
