package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;

/** The two iptables families: iptables (IPv4) and ip6tables (IPv6). */
public enum Family {
    IPV4("iptables", Ethertype.IPv4),
    IPV6("ip6tables", Ethertype.IPv6);

    private final String command;
    private final Ethertype ethertype;

    Family(String command, Ethertype ethertype) {
        this.command = command;
        this.ethertype = ethertype;
    }

    /** "iptables" or "ip6tables": the prefix of the -save/-restore tools and the oracle's key. */
    public String command() {
        return command;
    }

    public Ethertype ethertype() {
        return ethertype;
    }

    public static Family of(Ethertype e) {
        return e == Ethertype.IPv4 ? IPV4 : IPV6;
    }
}
