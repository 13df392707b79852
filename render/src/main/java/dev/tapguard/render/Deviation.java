package dev.tapguard.render;

/**
 * A place where Tapguard's output differs from what Neutron's driver would write for the same input, because
 * Neutron is wrong there ({@code NEUTRON_IPTABLES.md} section 11): the section number, a short name, and what
 * changed for this input.
 */
public record Deviation(int section, String name, String detail) {

    public static final String PROTOCOLS = "protocols-mean-what-the-api-says";
    public static final String ZONES = "stable-conntrack-zones";
    public static final String STATELESS = "stateless-is-the-groups-attribute";
    public static final String NAMES = "truncated-names-never-merge";
    public static final String ORDER = "deterministic-order";
    public static final String ADDRESS_GROUPS = "address-groups-are-enforced";

    @Override
    public String toString() {
        return "#" + section + " " + name + ": " + detail;
    }
}
