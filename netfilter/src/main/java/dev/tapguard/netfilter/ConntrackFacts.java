package dev.tapguard.netfilter;

/**
 * What the kernel's conntrack does with a packet whatever state one assumes for it (kernel 6.x,
 * {@code nf_conntrack_proto_icmp(v6).c}, {@code nf_conntrack_proto_tcp.c} with {@code nf_conntrack_tcp_loose=1}):
 * ICMPv6 neighbour discovery, MLD and router messages are never tracked (UNTRACKED: neither INVALID nor
 * RELATED,ESTABLISHED matches them); ICMP types that cannot open a connection are never NEW; a lone RST, FIN or
 * SYN/ACK without an entry is INVALID.
 */
public final class ConntrackFacts {
    private ConntrackFacts() {
    }

    /** The state the filter table sees, and a note when it differs from the assumed one (null otherwise). */
    public record Effective(CtState state, String note) {
    }

    /** The note-less results, one per state (no allocation on the common path). */
    private static final Effective[] PLAIN = new Effective[CtState.values().length];

    static {
        for (CtState s : CtState.values()) {
            PLAIN[s.ordinal()] = new Effective(s, null);
        }
    }

    public static Effective effective(Packet p) {
        CtState assumed = p.ct();
        boolean v6 = p.v6;
        int icmpType = p.icmpTypeBits;
        if (v6 && p.protocol() == 58 && icmpType >= 0 && untrackedIcmpv6(icmpType)) {
            return assumed == CtState.UNTRACKED ? PLAIN[CtState.UNTRACKED.ordinal()]
                    : new Effective(CtState.UNTRACKED, "ICMPv6 type " + icmpType + " is never tracked by "
                    + "the kernel: the packet is UNTRACKED, not " + assumed);
        }
        if (assumed != CtState.NEW) {
            return PLAIN[assumed.ordinal()];
        }
        if (!v6 && p.protocol() == 1 && icmpType >= 0) {
            int t = icmpType;
            if (t == 3 || t == 4 || t == 5 || t == 11 || t == 12) {
                return new Effective(CtState.INVALID, "an ICMP error (type " + t + ") is never NEW: it is RELATED "
                        + "when it quotes a tracked connection (--ct related), else INVALID");
            }
            if (t != 8 && t != 13 && t != 15 && t != 17) {
                return new Effective(CtState.INVALID, "ICMP type " + t + " cannot open a connection: it is "
                        + "ESTABLISHED when it answers a tracked request (--ct established), else INVALID");
            }
        }
        if (v6 && p.protocol() == 58 && icmpType >= 0) {
            int t = icmpType;
            if (t < 128) {
                return new Effective(CtState.INVALID, "an ICMPv6 error (type " + t + ") is never NEW: it is "
                        + "RELATED when it quotes a tracked connection (--ct related), else INVALID");
            }
            if (t != 128 && t != 139) {
                return new Effective(CtState.INVALID, "ICMPv6 type " + t + " cannot open a connection: it is "
                        + "ESTABLISHED when it answers a tracked request (--ct established), else INVALID");
            }
        }
        if (p.protocol() == 6 && p.tcpFlagBits >= 0) {
            // tcp_new(): the flag class (RST, SYN, SYN/ACK, FIN, ACK, none) of a packet without an entry
            int f = p.tcpFlagBits;
            boolean opens = (f & TcpFlagBits.RST) == 0 && ((f & TcpFlagBits.SYN) != 0
                    ? (f & TcpFlagBits.ACK) == 0 : (f & TcpFlagBits.FIN) == 0 && (f & TcpFlagBits.ACK) != 0);
            if (!opens) {
                return new Effective(CtState.INVALID, "TCP " + TcpFlagBits.format(f) + " without a connection "
                        + "is INVALID (conntrack only picks up a SYN or, mid-stream, a bare ACK as NEW)");
            }
        }
        return PLAIN[CtState.NEW.ordinal()];
    }

    /** MLD (130-132, 143), router solicitation/advert (133, 134), neighbour solicitation/advert (135, 136). */
    public static boolean untrackedIcmpv6(int type) {
        return type >= 130 && type <= 136 || type == 143;
    }
}
