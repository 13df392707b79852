package dev.tapguard.render;

/** The IPv6 link-local address a MAC derives (fe80::/64 + modified EUI-64), as netaddr prints it. */
final class Eui64 {
    private Eui64() {
    }

    static String linkLocal(String mac) {
        String[] p = mac.split("[:\\-]");
        if (p.length != 6) {
            throw new IllegalArgumentException("'" + mac + "' is not a MAC address");
        }
        int[] b = new int[6];
        for (int i = 0; i < 6; i++) {
            b[i] = Integer.parseInt(p[i], 16);
        }
        int[] groups = {
            ((b[0] ^ 0x02) << 8) | b[1],
            (b[2] << 8) | 0xff,
            (0xfe << 8) | b[3],
            (b[4] << 8) | b[5]
        };
        StringBuilder sb = new StringBuilder("fe80::");
        // netaddr compresses the leading zero groups only; the interface id groups are printed without leading zeros
        boolean started = false;
        for (int i = 0; i < 4; i++) {
            if (!started && groups[i] == 0) {
                continue;
            }
            if (started) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
            started = true;
        }
        if (!started) {
            return "fe80::";
        }
        return sb.toString();
    }

    /** netaddr's mac_iptables dialect: upper-case, colon-separated. */
    static String iptablesMac(String mac) {
        String[] p = mac.split("[:\\-]");
        if (p.length != 6) {
            return mac.toUpperCase(java.util.Locale.ROOT);
        }
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            String h = p[i].toUpperCase(java.util.Locale.ROOT);
            sb.append(h.length() == 1 ? "0" + h : h);
        }
        return sb.toString();
    }
}
