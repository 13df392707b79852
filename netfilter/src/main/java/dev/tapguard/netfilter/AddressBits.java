package dev.tapguard.netfilter;

/** Fast parsing of address literals into {hi, lo, version} bits for the evaluator's hot path. */
final class AddressBits {
    private AddressBits() {
    }

    /**
     * Fills out[0]=hi, out[1]=lo and returns the version (4 or 6); falls back to the IPAddress library for forms
     * the fast path does not read (it throws IllegalArgumentException for what is not an address).
     */
    static int parse(String s, long[] out) {
        int version = standard(s, out);
        if (version != 0) {
            return version;
        }
        long[] a = AddressMask.address(s, s);
        out[0] = a[0];
        out[1] = a[1];
        return (int) a[2];
    }

    /** Only the standard forms (dotted quad, RFC 4291 text); throws IllegalArgumentException otherwise. */
    static int parseStrict(String s, long[] out) {
        int version = standard(s, out);
        if (version == 0) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address");
        }
        return version;
    }

    /** The fast path: a dotted quad or RFC 4291 text into out; the version, or 0 for any other form. */
    private static int standard(String s, long[] out) {
        if (s.indexOf(':') < 0) {
            long v = ipv4(s, 0, s.length());
            if (v >= 0) {
                out[0] = 0;
                out[1] = v;
                return 4;
            }
        } else if (ipv6(s, out)) {
            return 6;
        }
        return 0;
    }

    /** Dotted quad in s[from,to), or -1. */
    private static long ipv4(String s, int from, int to) {
        long v = 0;
        int parts = 0;
        int cur = -1;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                cur = cur < 0 ? c - '0' : cur * 10 + (c - '0');
                if (cur > 255) {
                    return -1;
                }
            } else if (c == '.' && cur >= 0 && parts < 3) {
                v = (v << 8) | cur;
                parts++;
                cur = -1;
            } else {
                return -1;
            }
        }
        if (cur < 0 || parts != 3) {
            return -1;
        }
        return (v << 8) | cur;
    }

    private static boolean ipv6(String s, long[] out) {
        int[] groups = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        int len = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        }
        while (i < len) {
            int j = i;
            int v = 0;
            while (j < len && j - i < 5) {
                int d = Character.digit(s.charAt(j), 16);
                if (d < 0) {
                    break;
                }
                v = (v << 4) | d;
                j++;
            }
            if (j < len && s.charAt(j) == '.') {
                long v4 = ipv4(s, i, len);
                if (v4 < 0 || n > 6) {
                    return false;
                }
                groups[n++] = (int) (v4 >>> 16);
                groups[n++] = (int) (v4 & 0xffff);
                i = len;
                break;
            }
            if (j == i || j - i > 4 || n >= 8) {
                return false;
            }
            groups[n++] = v;
            i = j;
            if (i == len) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < len && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = n;
                i++;
            } else if (i == len) {
                return false;
            }
        }
        int[] full = new int[8];
        if (gap >= 0) {
            if (n > 7) {
                return false;
            }
            for (int k = 0; k < gap; k++) {
                full[k] = groups[k];
            }
            int tail = n - gap;
            for (int k = 0; k < tail; k++) {
                full[8 - tail + k] = groups[gap + k];
            }
        } else {
            if (n != 8) {
                return false;
            }
            full = groups;
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[k + 4];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }
}
