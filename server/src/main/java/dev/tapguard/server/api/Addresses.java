package dev.tapguard.server.api;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.math.BigInteger;
import java.util.List;
import java.util.Set;

/** Address arithmetic for subnets and port allocations (IPAddress library). */
public final class Addresses {
    private Addresses() {
    }

    /** A parsed single address, or null when the text is not one (CIDRs are not single addresses). */
    public static IPAddress address(String text) {
        if (text == null || text.contains("/")) {
            return null;
        }
        IPAddressString s = new IPAddressString(text.strip());
        IPAddress a = s.getAddress();
        return a == null || a.isMultiple() ? null : a;
    }

    /** A parsed network prefix (host bits allowed), or null. */
    public static IPAddress prefix(String text) {
        if (text == null || !text.contains("/")) {
            return null;
        }
        IPAddress a = new IPAddressString(text.strip()).getAddress();
        return a == null || a.getNetworkPrefixLength() == null ? null : a;
    }

    public static String format(IPAddress a) {
        IPAddress x = a.withoutPrefixLength();
        return x.isIPv4() ? x.toNormalizedString() : x.toCompressedString();
    }

    public static boolean contains(IPAddress network, IPAddress a) {
        return network.getIPVersion() == a.getIPVersion() && network.toPrefixBlock().contains(a.withoutPrefixLength());
    }

    public static BigInteger value(IPAddress a) {
        return a.withoutPrefixLength().getValue();
    }

    public static IPAddress fromValue(IPAddress like, BigInteger v) {
        byte[] raw = v.toByteArray();
        int len = like.isIPv4() ? 4 : 16;
        byte[] bytes = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, bytes, len - copy, copy);
        return like.isIPv4() ? new inet.ipaddr.ipv4.IPv4Address(bytes) : new inet.ipaddr.ipv6.IPv6Address(bytes);
    }

    /** One allocation pool, inclusive. */
    public record Pool(IPAddress start, IPAddress end) {
        boolean contains(IPAddress a) {
            BigInteger v = value(a);
            return v.compareTo(value(start)) >= 0 && v.compareTo(value(end)) <= 0;
        }
    }

    /** The first address of the pools that is not used, or null when they are exhausted. */
    public static String firstFree(List<Pool> pools, Set<String> used) {
        for (Pool p : pools) {
            BigInteger v = value(p.start());
            BigInteger end = value(p.end());
            int scanned = 0;
            while (v.compareTo(end) <= 0 && scanned < 1_000_000) {
                String ip = format(fromValue(p.start(), v));
                if (!used.contains(ip)) {
                    return ip;
                }
                v = v.add(BigInteger.ONE);
                scanned++;
            }
        }
        return null;
    }
}
