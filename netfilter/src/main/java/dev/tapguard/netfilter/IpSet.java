package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;
import java.util.List;

/** An ipset of type hash:net and its members (CIDRs, as they are added). */
public record IpSet(String name, Ethertype family, List<String> members) {

    public IpSet {
        members = List.copyOf(members);
    }

    /** "inet" or "inet6", as ipset names the family. */
    public String ipsetFamily() {
        return family == Ethertype.IPv4 ? "inet" : "inet6";
    }
}
