package dev.tapguard.model;

import java.util.Locale;

/** Neutron's ethertype: the address family a rule, prefix or member belongs to. */
public enum Ethertype {
    IPv4(4, "0.0.0.0/0"),
    IPv6(6, "::/0");

    private final int version;
    private final String anyCidr;

    Ethertype(int version, String anyCidr) {
        this.version = version;
        this.anyCidr = anyCidr;
    }

    public int version() {
        return version;
    }

    /** The CIDR that means "any address" in this family. */
    public String anyCidr() {
        return anyCidr;
    }

    public static Ethertype ofVersion(int version) {
        return switch (version) {
            case 4 -> IPv4;
            case 6 -> IPv6;
            default -> throw new IllegalArgumentException("no IP version " + version);
        };
    }

    /** Case-insensitive, as Neutron's {@code convert_ethertype_to_case_insensitive}; null when not IPv4/IPv6. */
    public static Ethertype parseOrNull(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> IPv4;
            case "ipv6" -> IPv6;
            default -> null;
        };
    }
}
