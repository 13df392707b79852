package dev.tapguard.netfilter;

/**
 * A device name packed into two longs (its first 16 characters, 8 bits each) plus its length, so that the evaluator
 * compares and looks up names without reading their strings (Linux names have at most 15 bytes). Only names of
 * Latin-1 characters pack; {@link #len} is {@link #FOREIGN} for others, which are compared as strings.
 */
final class DeviceName {
    private DeviceName() {
    }

    /** No such device (the packet has none on that side). */
    static final int ABSENT = -1;
    /** A name with characters beyond Latin-1: compared as a string. */
    static final int FOREIGN = -2;
    /** Longest name whose packed form identifies it. */
    static final int MAX_PACKED = 16;

    static int len(String s) {
        if (s == null) {
            return ABSENT;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return FOREIGN;
            }
        }
        return s.length();
    }

    /** Characters 0-7 (0 past the end). */
    static long a(String s) {
        return pack(s, 0);
    }

    /** Characters 8-15 (0 past the end). */
    static long b(String s) {
        return pack(s, 8);
    }

    private static long pack(String s, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (s != null && i < s.length() ? s.charAt(i) & 0xff : 0);
        }
        return v;
    }

    /** The bits of the first {@code len} characters within the first long. */
    static long maskA(int len) {
        return len >= 8 ? -1L : len <= 0 ? 0 : -1L << (64 - 8 * len);
    }

    static long maskB(int len) {
        return len >= 16 ? -1L : len <= 8 ? 0 : -1L << (64 - 8 * (len - 8));
    }

    /** True when the name can be a key of the packed index (it identifies the name exactly). */
    static boolean packs(String s) {
        int n = len(s);
        return n >= 0 && n <= MAX_PACKED;
    }
}
