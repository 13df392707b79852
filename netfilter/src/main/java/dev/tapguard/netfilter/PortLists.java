package dev.tapguard.netfilter;

/** Port arguments as iptables reads them: {@code N}, {@code N:M}, {@code N:}, {@code :M}, and comma lists of these. */
public final class PortLists {
    private PortLists() {
    }

    /** One port or range as {min, max}; throws IllegalArgumentException when it is not one. */
    public static int[] range(String v) {
        int colon = v.indexOf(':');
        if (colon < 0) {
            int p = port(v, v);
            return new int[] {p, p};
        }
        String a = v.substring(0, colon);
        String b = v.substring(colon + 1);
        int lo = a.isEmpty() ? 0 : port(a, v);
        int hi = b.isEmpty() ? 65535 : port(b, v);
        return new int[] {lo, hi};
    }

    /** A multiport list (at most 15 ports, a range counting two) as flat {min0, max0, min1, max1, ...}. */
    public static int[] parse(String list) {
        String[] parts = list.split(",", -1);
        int[] out = new int[parts.length * 2];
        int slots = 0;
        for (int i = 0; i < parts.length; i++) {
            int[] r = range(parts[i]);
            out[2 * i] = r[0];
            out[2 * i + 1] = r[1];
            slots += parts[i].indexOf(':') >= 0 ? 2 : 1;
        }
        if (slots > 15) {
            throw new IllegalArgumentException("multiport list '" + list + "' has more than 15 ports");
        }
        return out;
    }

    private static int port(String s, String whole) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("port '" + whole + "' is not a number or range");
        }
        int p = Integer.parseInt(s);
        if (p > 65535) {
            throw new IllegalArgumentException("port '" + whole + "' is above 65535");
        }
        return p;
    }
}
