package dev.tapguard.netfilter;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.math.BigInteger;

/**
 * An address and mask as iptables reads {@code -s}/{@code -d}: {@code A}, {@code A/LEN} or {@code A/MASK} (IPv4
 * dotted masks may be non-contiguous). Kept as two longs per value (IPv4 in {@code lo}) so that matching a packet is
 * two ANDs and two compares.
 */
public record AddressMask(boolean v6, long hi, long lo, long maskHi, long maskLo) {

    /** Parses an iptables address argument; throws IllegalArgumentException naming it when it is not one. */
    public static AddressMask parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        String addr = text;
        String mask = null;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            addr = text.substring(0, slash);
            mask = text.substring(slash + 1);
        }
        long[] a = address(addr, text);
        boolean v6 = a[2] == 6;
        int bits = v6 ? 128 : 32;
        long mHi;
        long mLo;
        if (mask == null) {
            mHi = v6 ? -1L : 0;
            mLo = v6 ? -1L : 0xffffffffL;
        } else if (!mask.isEmpty() && mask.chars().allMatch(Character::isDigit) && mask.length() <= 3) {
            int len = Integer.parseInt(mask);
            if (len > bits) {
                throw new IllegalArgumentException("'" + text + "': prefix length " + len + " exceeds " + bits);
            }
            long[] m = prefixMask(v6, len);
            mHi = m[0];
            mLo = m[1];
        } else {
            long[] m = address(mask, text);
            if ((m[2] == 6) != v6) {
                throw new IllegalArgumentException("'" + text + "': mask of another family");
            }
            mHi = m[0];
            mLo = m[1];
        }
        return new AddressMask(v6, a[0] & mHi, a[1] & mLo, mHi, mLo);
    }

    /** The bits of a bare address: {hi, lo, version}. */
    public static long[] address(String addr, String context) {
        long[] fast = new long[3];
        try {
            fast[2] = AddressBits.parseStrict(addr, fast);
            return fast;
        } catch (IllegalArgumentException e) {
            // not a standard form: let the IPAddress library judge it
        }
        IPAddress ip = new IPAddressString(addr).getAddress();
        if (ip == null || ip.getNetworkPrefixLength() != null || ip.isMultiple()) {
            throw new IllegalArgumentException("'" + context + "' is not an address");
        }
        ip = ip.getLower().withoutPrefixLength();
        BigInteger v = ip.getValue();
        if (ip.isIPv4()) {
            return new long[] {0, v.longValue() & 0xffffffffL, 4};
        }
        return new long[] {v.shiftRight(64).longValue(), v.longValue(), 6};
    }

    static long[] prefixMask(boolean v6, int len) {
        if (!v6) {
            return new long[] {0, len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL};
        }
        long hi = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long lo = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return new long[] {hi, lo};
    }

    /** True when the address (same family) lies within. */
    public boolean matches(long addrHi, long addrLo) {
        return (addrLo & maskLo) == lo && (addrHi & maskHi) == hi;
    }

    /** The prefix length when the mask is contiguous, else -1. */
    public int prefixLength() {
        int n = v6 ? Long.bitCount(maskHi) + Long.bitCount(maskLo) : Long.bitCount(maskLo);
        long[] m = prefixMask(v6, n);
        return m[0] == maskHi && m[1] == maskLo ? n : -1;
    }
}
