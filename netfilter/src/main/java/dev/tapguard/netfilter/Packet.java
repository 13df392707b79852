package dev.tapguard.netfilter;

import dev.tapguard.model.Ethertype;
import java.util.Locale;
import java.util.Objects;

/**
 * A probe: one packet as the host's bridge sees it. Addresses decide the family. {@code protocol} is the IP
 * protocol number (the upper-layer next header for IPv6). Ports, ICMP type/code, TCP flags, MACs and devices are
 * null when not known; a rule that needs an unknown field cannot be decided (the trace says so).
 * {@code physdevIn}/{@code physdevOut} are the bridge ports (tap..., qvb...), {@code inInterface}/
 * {@code outInterface} the logical devices iptables' {@code -i}/{@code -o} see (the bridge, qbr...). {@code ct} is the
 * conntrack state assumed for the packet before the kernel's own facts are applied (see {@link ConntrackFacts}).
 * A value (equality by its fields, as a record); a class only so that it can keep the parsed forms beside them.
 */
public final class Packet {
    private final String src;
    private final String dst;
    private final int protocol;
    private final Integer sport;
    private final Integer dport;
    private final Integer icmpType;
    private final Integer icmpCode;
    private final String tcpFlags;
    private final String srcMac;
    private final String dstMac;
    private final String physdevIn;
    private final String physdevOut;
    private final String inInterface;
    private final String outInterface;
    private final Hook hook;
    private final CtState ct;
    private final long mark;

    // The probe as the evaluator reads it, parsed once here (primitives in this object: an evaluation reads no
    // string of the probe).
    final Ethertype ethertype;
    final Family family;
    final boolean v6;
    final long srcHi;
    final long srcLo;
    final long dstHi;
    final long dstLo;
    final int sportBits;
    final int dportBits;
    final int icmpTypeBits;
    final int icmpCodeBits;
    final int tcpFlagBits;
    final long srcMacBits;
    /** Packed device names ({@link DeviceName}): physdev-in, physdev-out, in, out. */
    final int physInLen;
    final long physInA;
    final long physInB;
    final int physOutLen;
    final long physOutA;
    final long physOutB;
    final int inLen;
    final long inA;
    final long inB;
    final int outLen;
    final long outA;
    final long outB;

    public Packet(String src, String dst, int protocol, Integer sport, Integer dport, Integer icmpType,
                  Integer icmpCode, String tcpFlags, String srcMac, String dstMac, String physdevIn,
                  String physdevOut, String inInterface, String outInterface, Hook hook, CtState ct, long mark) {
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
        int flags = tcpFlags == null ? -1 : TcpFlagBits.parse(tcpFlags);
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
        this.src = src;
        this.dst = dst;
        this.protocol = protocol;
        this.sport = sport;
        this.dport = dport;
        this.icmpType = icmpType;
        this.icmpCode = icmpCode;
        this.tcpFlags = tcpFlags;
        this.srcMac = srcMac;
        this.dstMac = dstMac;
        this.physdevIn = physdevIn;
        this.physdevOut = physdevOut;
        this.inInterface = inInterface;
        this.outInterface = outInterface;
        this.hook = hook;
        this.ct = ct;
        this.mark = mark;
        this.v6 = s[2] == 6;
        this.ethertype = v6 ? Ethertype.IPv6 : Ethertype.IPv4;
        this.family = Family.of(ethertype);
        this.srcHi = s[0];
        this.srcLo = s[1];
        this.dstHi = d[0];
        this.dstLo = d[1];
        this.sportBits = sport == null ? -1 : sport;
        this.dportBits = dport == null ? -1 : dport;
        this.icmpTypeBits = icmpType == null ? -1 : icmpType;
        this.icmpCodeBits = icmpCode == null ? -1 : icmpCode;
        this.tcpFlagBits = flags;
        this.srcMacBits = macBits(srcMac);
        this.physInLen = DeviceName.len(physdevIn);
        this.physInA = DeviceName.a(physdevIn);
        this.physInB = DeviceName.b(physdevIn);
        this.physOutLen = DeviceName.len(physdevOut);
        this.physOutA = DeviceName.a(physdevOut);
        this.physOutB = DeviceName.b(physdevOut);
        this.inLen = DeviceName.len(inInterface);
        this.inA = DeviceName.a(inInterface);
        this.inB = DeviceName.b(inInterface);
        this.outLen = DeviceName.len(outInterface);
        this.outA = DeviceName.a(outInterface);
        this.outB = DeviceName.b(outInterface);
    }

    public String src() {
        return src;
    }

    public String dst() {
        return dst;
    }

    public int protocol() {
        return protocol;
    }

    public Integer sport() {
        return sport;
    }

    public Integer dport() {
        return dport;
    }

    public Integer icmpType() {
        return icmpType;
    }

    public Integer icmpCode() {
        return icmpCode;
    }

    public String tcpFlags() {
        return tcpFlags;
    }

    public String srcMac() {
        return srcMac;
    }

    public String dstMac() {
        return dstMac;
    }

    public String physdevIn() {
        return physdevIn;
    }

    public String physdevOut() {
        return physdevOut;
    }

    public String inInterface() {
        return inInterface;
    }

    public String outInterface() {
        return outInterface;
    }

    public Hook hook() {
        return hook;
    }

    public CtState ct() {
        return ct;
    }

    public long mark() {
        return mark;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Packet p && src.equals(p.src) && dst.equals(p.dst)
                && protocol == p.protocol && Objects.equals(sport, p.sport) && Objects.equals(dport, p.dport)
                && Objects.equals(icmpType, p.icmpType) && Objects.equals(icmpCode, p.icmpCode)
                && Objects.equals(tcpFlags, p.tcpFlags) && Objects.equals(srcMac, p.srcMac)
                && Objects.equals(dstMac, p.dstMac) && Objects.equals(physdevIn, p.physdevIn)
                && Objects.equals(physdevOut, p.physdevOut) && Objects.equals(inInterface, p.inInterface)
                && Objects.equals(outInterface, p.outInterface) && hook == p.hook && ct == p.ct && mark == p.mark;
    }

    @Override
    public int hashCode() {
        return Objects.hash(src, dst, protocol, sport, dport, icmpType, icmpCode, tcpFlags, srcMac, dstMac,
                physdevIn, physdevOut, inInterface, outInterface, hook, ct, mark);
    }

    @Override
    public String toString() {
        return "Packet[src=" + src + ", dst=" + dst + ", protocol=" + protocol + ", sport=" + sport + ", dport="
                + dport + ", icmpType=" + icmpType + ", icmpCode=" + icmpCode + ", tcpFlags=" + tcpFlags
                + ", srcMac=" + srcMac + ", dstMac=" + dstMac + ", physdevIn=" + physdevIn + ", physdevOut="
                + physdevOut + ", inInterface=" + inInterface + ", outInterface=" + outInterface + ", hook=" + hook
                + ", ct=" + ct + ", mark=" + mark + "]";
    }

    public Ethertype ethertype() {
        return ethertype;
    }

    public Family family() {
        return family;
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
