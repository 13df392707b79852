package dev.tapguard.model;

/** Where the other end of a rule's traffic may be: anywhere, a prefix, the members of a group, or an address group. */
public sealed interface Remote {

    Any ANY = new Any();

    record Any() implements Remote {
    }

    /** {@code remoteIpPrefix} as stored (host bits kept); {@code normalizedCidr} with host bits cleared. */
    record IpPrefix(String remoteIpPrefix, String normalizedCidr) implements Remote {
    }

    record Group(String remoteGroupId) implements Remote {
    }

    record AddressGroup(String remoteAddressGroupId) implements Remote {
    }
}
