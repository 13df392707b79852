package dev.tapguard.agent.firewall;

import dev.tapguard.model.Cidr;

/** Members of hash:net sets compared as ipset prints them: a host route without its /32 or /128. */
public final class IpSetMembers {
    private IpSetMembers() {
    }

    public static String key(String member) {
        Cidr c = Cidr.parse(member);
        int full = c.ethertype() == dev.tapguard.model.Ethertype.IPv4 ? 32 : 128;
        return c.prefixLength() == full ? c.address() : c.address() + "/" + c.prefixLength();
    }
}
