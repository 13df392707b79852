package dev.tapguard.model;

/** An extra (address or CIDR, MAC) a port may send from; the MAC defaults to the port's own. */
public record AllowedAddressPair(String ipAddress, String macAddress) {
}
