package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;
import java.util.Locale;

/**
 * A probe: one packet as the host's bridge sees it. Addresses decide the family. {@code protocol} is the IP
 * protocol number (the upper-layer next header for IPv6). Ports, ICMP type/code, TCP flags, MACs and devices are
 * null when not known; a rule that needs an unknown field cannot be decided (the trace says so).
 * {@code physdevIn}/{@code physdevOut} are the bridge ports (tap..., qvb...), {@code inInterface}/
 * {@code outInterface} the logical devices iptables' {@code -i}/{@code -o} see (the bridge, qbr...). {@code ct} is the
 * conntrack state assumed for the packet before the kernel's own facts are applied (see {@link ConntrackFacts}).
 */
public record Packet(String src, String dst, int protocol, Integer sport, Integer dport, Integer icmpType,
                     Integer icmpCode, String tcpFlags, String srcMac, String dstMac, String physdevIn,
                     String physdevOut, String inInterface, String outInterface, Hook hook, CtState ct, long mark) {

    public Packet {
        if (src == null || dst == null) {
            throw new IllegalArgumentException("a probe needs a source and a destination address");
        }
        long[] s = address(src, "source");
        long[] d = address(dst, "destination");
        if (s[2] != d[2]) {
            throw new IllegalArgumentException("source " + src + " and destination " + dst + " are of different "
                    + "families");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("IP protocol " + protocol + " is not in 0-255");
        }
        port(sport, "source port");
        port(dport, "destination port");
        byteValue(icmpType, "ICMP type");
        byteValue(icmpCode, "ICMP code");
        if (tcpFlags != null) {
            TcpFlagBits.parse(tcpFlags);
        }
        mac(srcMac, "source MAC");
        mac(dstMac, "destination MAC");
        hook = hook == null ? Hook.FORWARD : hook;
        ct = ct == null ? CtState.NEW : ct;
        if (hook == Hook.FORWARD && physdevIn != null && physdevOut == null) {
            throw new IllegalArgumentException("a bridged FORWARD probe leaves by a bridge port: give physdev-out");
        }
        if (hook == Hook.INPUT && physdevOut != null) {
            throw new IllegalArgumentException("a packet delivered to the host (INPUT) leaves by no bridge port");
        }
        if (physdevIn == null && physdevOut != null) {
            throw new IllegalArgumentException("a bridged packet enters by a bridge port: give physdev-in");
        }
    }

    public Ethertype ethertype() {
        return src.indexOf(':') >= 0 ? Ethertype.IPv6 : Ethertype.IPv4;
    }

    public Family family() {
        return Family.of(ethertype());
    }

    /** True when the packet crosses a bridge (br_netfilter has its bridge ports). */
    public boolean bridged() {
        return physdevIn != null;
    }

    public Packet withCt(CtState state) {
        return new Packet(src, dst, protocol, sport, dport, icmpType, icmpCode, tcpFlags, srcMac, dstMac, physdevIn,
                physdevOut, inInterface, outInterface, hook, state, mark);
    }

    public Packet withDevices(String physIn, String physOut, String in, String out, Hook h) {
        return new Packet(src, dst, protocol, sport, dport, icmpType, icmpCode, tcpFlags, srcMac, dstMac, physIn,
                physOut, in, out, h, ct, mark);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The MAC as 48 bits, or -1 when not given. */
    static long macBits(String mac) {
        if (mac == null) {
            return -1;
        }
        long v = 0;
        int octet = 0;
        int digits = 0;
        for (int i = 0; i < mac.length(); i++) {
            char c = mac.charAt(i);
            if (c == ':' || c == '-') {
                v = (v << 8) | octet;
                octet = 0;
                digits = 0;
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0 || ++digits > 2) {
                throw new IllegalArgumentException("'" + mac + "' is not a MAC address");
            }
            octet = octet * 16 + d;
        }
        return (v << 8) | octet;
    }

    private static long[] address(String a, String what) {
        if (a.indexOf('/') >= 0) {
            throw new IllegalArgumentException(what + " " + a + " must be an address, not a prefix");
        }
        try {
            long[] bits = new long[3];
            bits[2] = AddressBits.parseStrict(a, bits);
            return bits;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + a + "' is not an IP address");
        }
    }

    private static void port(Integer p, String what) {
        if (p != null && (p < 0 || p > 65535)) {
            throw new IllegalArgumentException(what + " " + p + " is not in 0-65535");
        }
    }

    private static void byteValue(Integer v, String what) {
        if (v != null && (v < 0 || v > 255)) {
            throw new IllegalArgumentException(what + " " + v + " is not in 0-255");
        }
    }

    private static void mac(String m, String what) {
        if (m != null && !m.toLowerCase(Locale.ROOT).matches("[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}")) {
            throw new IllegalArgumentException(what + " '" + m + "' is not a MAC address");
        }
    }

    /** Builds probes field by field. */
    public static final class Builder {
        private String src;
        private String dst;
        private int protocol;
        private Integer sport;
        private Integer dport;
        private Integer icmpType;
        private Integer icmpCode;
        private String tcpFlags;
        private String srcMac;
        private String dstMac;
        private String physdevIn;
        private String physdevOut;
        private String in;
        private String out;
        private Hook hook = Hook.FORWARD;
        private CtState ct = CtState.NEW;
        private long mark;

        public Builder src(String v) {
            src = v;
            return this;
        }

        public Builder dst(String v) {
            dst = v;
            return this;
        }

        public Builder protocol(int v) {
            protocol = v;
            return this;
        }

        public Builder sport(Integer v) {
            sport = v;
            return this;
        }

        public Builder dport(Integer v) {
            dport = v;
            return this;
        }

        public Builder icmp(Integer type, Integer code) {
            icmpType = type;
            icmpCode = code;
            return this;
        }

        public Builder tcpFlags(String v) {
            tcpFlags = v;
            return this;
        }

        public Builder srcMac(String v) {
            srcMac = v;
            return this;
        }

        public Builder dstMac(String v) {
            dstMac = v;
            return this;
        }

        public Builder physdev(String inPort, String outPort) {
            physdevIn = inPort;
            physdevOut = outPort;
            return this;
        }

        public Builder interfaces(String inDev, String outDev) {
            in = inDev;
            out = outDev;
            return this;
        }

        public Builder hook(Hook v) {
            hook = v;
            return this;
        }

        public Builder ct(CtState v) {
            ct = v;
            return this;
        }

        public Builder mark(long v) {
            mark = v;
            return this;
        }

        public Packet build() {
            return new Packet(src, dst, protocol, sport, dport, icmpType, icmpCode, tcpFlags, srcMac, dstMac,
                    physdevIn, physdevOut, in, out, hook, ct, mark);
        }
    }
}
