package dev.tapguard.netfilter;

import java.util.HashMap;
import java.util.Map;

/** The ICMP and ICMPv6 type names iptables and ip6tables accept ({@code --icmp-type echo-request}). */
public final class IcmpTypes {
    private IcmpTypes() {
    }

    /** Type and code (-1 = any code). */
    public record TypeCode(int type, int code) {
    }

    private static final Map<String, TypeCode> V4 = new HashMap<>();
    private static final Map<String, TypeCode> V6 = new HashMap<>();

    static {
        Object[] v4 = {"echo-reply", 0, -1, "pong", 0, -1, "destination-unreachable", 3, -1,
            "network-unreachable", 3, 0, "host-unreachable", 3, 1, "protocol-unreachable", 3, 2,
            "port-unreachable", 3, 3, "fragmentation-needed", 3, 4, "source-route-failed", 3, 5,
            "network-unknown", 3, 6, "host-unknown", 3, 7, "network-prohibited", 3, 9, "host-prohibited", 3, 10,
            "TOS-network-unreachable", 3, 11, "TOS-host-unreachable", 3, 12, "communication-prohibited", 3, 13,
            "host-precedence-violation", 3, 14, "precedence-cutoff", 3, 15, "source-quench", 4, -1,
            "redirect", 5, -1, "network-redirect", 5, 0, "host-redirect", 5, 1, "TOS-network-redirect", 5, 2,
            "TOS-host-redirect", 5, 3, "echo-request", 8, -1, "ping", 8, -1, "router-advertisement", 9, -1,
            "router-solicitation", 10, -1, "time-exceeded", 11, -1, "ttl-exceeded", 11, -1,
            "ttl-zero-during-transit", 11, 0, "ttl-zero-during-reassembly", 11, 1, "parameter-problem", 12, -1,
            "ip-header-bad", 12, 0, "required-option-missing", 12, 1, "timestamp-request", 13, -1,
            "timestamp-reply", 14, -1, "address-mask-request", 17, -1, "address-mask-reply", 18, -1};
        Object[] v6 = {"destination-unreachable", 1, -1, "no-route", 1, 0, "communication-prohibited", 1, 1,
            "beyond-scope", 1, 2, "address-unreachable", 1, 3, "port-unreachable", 1, 4, "failed-policy", 1, 5,
            "reject-route", 1, 6, "packet-too-big", 2, -1, "time-exceeded", 3, -1, "ttl-exceeded", 3, -1,
            "ttl-zero-during-transit", 3, 0, "ttl-zero-during-reassembly", 3, 1, "parameter-problem", 4, -1,
            "bad-header", 4, 0, "unknown-header-type", 4, 1, "unknown-option", 4, 2, "echo-request", 128, -1,
            "ping", 128, -1, "echo-reply", 129, -1, "pong", 129, -1, "mld-listener-query", 130, -1,
            "mld-listener-report", 131, -1, "mld-listener-done", 132, -1, "mld-listener-reduction", 132, -1,
            "router-solicitation", 133, -1, "router-advertisement", 134, -1, "neighbour-solicitation", 135, -1,
            "neighbor-solicitation", 135, -1, "neighbour-advertisement", 136, -1, "neighbor-advertisement", 136, -1,
            "redirect", 137, -1};
        fill(V4, v4);
        fill(V6, v6);
    }

    private static void fill(Map<String, TypeCode> m, Object[] a) {
        for (int i = 0; i < a.length; i += 3) {
            m.put((String) a[i], new TypeCode((Integer) a[i + 1], (Integer) a[i + 2]));
        }
    }

    /**
     * {@code T}, {@code T/C}, a name, or {@code any} (type null) as iptables reads it; throws
     * IllegalArgumentException when it is none of these.
     */
    public static Match.Icmp parse(boolean v6, String value) {
        if (value.equals("any")) {
            return new Match.Icmp(v6, null, null);
        }
        TypeCode named = (v6 ? V6 : V4).get(value);
        if (named != null) {
            return new Match.Icmp(v6, named.type(), named.code() < 0 ? null : named.code());
        }
        int slash = value.indexOf('/');
        int type = byteValue(slash < 0 ? value : value.substring(0, slash), value);
        Integer code = slash < 0 ? null : byteValue(value.substring(slash + 1), value);
        return new Match.Icmp(v6, type, code);
    }

    private static int byteValue(String s, String whole) {
        if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("ICMP type '" + whole + "' is not a known name or T[/C]");
        }
        int v = Integer.parseInt(s);
        if (v > 255) {
            throw new IllegalArgumentException("ICMP type '" + whole + "' is out of range");
        }
        return v;
    }

    /** The name ip(6)tables gives a type, for messages ("8 (echo-request)"). */
    public static String describe(boolean v6, int type, Integer code) {
        String best = null;
        for (Map.Entry<String, TypeCode> e : (v6 ? V6 : V4).entrySet()) {
            TypeCode tc = e.getValue();
            if (tc.type() == type && (tc.code() < 0 && code == null || code != null && tc.code() == code)) {
                if (best == null || e.getKey().compareTo(best) < 0) {
                    best = e.getKey();
                }
            }
        }
        String tc = code == null ? String.valueOf(type) : type + "/" + code;
        return best == null ? tc : tc + " (" + best + ")";
    }
}
