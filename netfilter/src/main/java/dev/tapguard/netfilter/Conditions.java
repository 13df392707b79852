package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * Matches compiled for the evaluator, each with the semantics of its kernel module (xt_physdev, xt_tcpudp,
 * xt_multiport, xt_state/xt_conntrack, xt_mac, xt_set, xt_iprange, xt_mark, ip(6)t_icmp). A test answers
 * {@link #YES}, {@link #NO} or {@link #UNKNOWN} (the packet lacks a field the match needs, or the match is not
 * modelled).
 */
final class Conditions {
    private Conditions() {
    }

    static final int NO = 0;
    static final int YES = 1;
    static final int UNKNOWN = -1;

    /** The packet as the conditions read it, prepared once per evaluation. */
    static final class View {
        boolean v6;
        long srcHi;
        long srcLo;
        long dstHi;
        long dstLo;
        int proto;
        int sport = -1;
        int dport = -1;
        int icmpType = -1;
        int icmpCode = -1;
        int tcpFlags = -1;
        long srcMac = -1;
        boolean bridged;
        String physIn;
        String physOut;
        String in;
        String out;
        /**
         * physIn, physOut, in, out again as the compiled rules read them: packed names ({@link DeviceName}; length
         * {@link DeviceName#ABSENT} when the packet has no such device) and their entries in the evaluator's device
         * index (-1: no rule is indexed by that name).
         */
        final int[] devLen = new int[4];
        final long[] devA = new long[4];
        final long[] devB = new long[4];
        final int[] devData = new int[4];
        int stateBit;
        long mark;
        // set by the walk
        boolean notrack;
        int zone = -1;
    }

    static int stateBit(CtState s) {
        return 1 << s.ordinal();
    }

    abstract static class Cond {
        final Match source;

        Cond(Match source) {
            this.source = source;
        }

        abstract int test(View v);

        /** For the index: 1 physdev-in, 2 physdev-out, 3 -i, 4 -o, with an exact name; 0 otherwise. */
        int keyKind() {
            return 0;
        }

        String keyName() {
            return null;
        }
    }

    /** Evaluation order within a rule: cheap and shared (protocol, state, ports) before addresses and sets. */
    static int rank(Cond c) {
        return switch (c) {
            case Proto p -> 0;
            case State s -> 1;
            case Ports p -> 2;
            case Icmp i -> 2;
            case Multiport m -> 3;
            case TcpFlags t -> 3;
            case Physdev p -> 4;
            case Iface i -> 4;
            case Addr a -> 5;
            case Mac m -> 6;
            case Mark m -> 6;
            case Iprange r -> 7;
            case SetMatch s -> 8;
            default -> 9;
        };
    }

    static int bool(boolean b) {
        return b ? YES : NO;
    }

    /** Compiles one match; {@code Match.Comment} gives null (no condition). */
    static Cond compile(Match m, boolean v6family, IpSetIndex sets) {
        return compile(m, v6family, sets, java.util.function.UnaryOperator.identity());
    }

    /** As above; device names go through {@code names} so that equal names are one instance (identity compares). */
    static Cond compile(Match m, boolean v6family, IpSetIndex sets, java.util.function.UnaryOperator<String> names) {
        return switch (m) {
            case Match.Comment c -> null;
            case Match.Address a -> addr(a, a.source(), a.negated());
            case Match.Protocol p -> new Proto(p, RuleParser.readsAs(p.protocol()), p.negated());
            case Match.Interface i -> new Iface(i, i.in(), names.apply(i.name()), i.negated());
            case Match.Physdev p -> new Physdev(p, Match.PhysdevOptions.of(p), names);
            case Match.PhysdevOptions p -> new Physdev(p, p, names);
            case Match.Ports p -> ports(p, p, false);
            case Match.Multiport mp -> mp.sports() != null && mp.dports() != null
                    ? new All(mp, List.of(multiport(mp, mp.sports(), 0, false), multiport(mp, mp.dports(), 1, false)))
                    : multiport(mp, mp.sports() != null ? mp.sports() : mp.dports(), mp.sports() != null ? 0 : 1,
                    false);
            case Match.MultiportEither me -> multiport(me, me.ports(), 2, false);
            case Match.Icmp i -> icmp(i, i, false);
            case Match.State s -> state(s, s, false);
            case Match.Mac mac -> new Mac(mac, Packet.macBits(mac.macSource()), false);
            case Match.Set s -> new SetMatch(s, sets, s.setName(), s.flags().startsWith("src"), s.negated());
            case Match.TcpFlags t -> new TcpFlags(t, TcpFlagBits.parse(t.mask()), TcpFlagBits.parse(t.comparison()),
                    false);
            case Match.Iprange r -> new Iprange(r, r.source(), r.from(), r.to(), false);
            case Match.Mark mk -> new Mark(mk, mk.value(), mk.mask(), false);
            case Match.Fragment f -> new Never(f);
            case Match.Not n -> not(n, v6family, sets);
            case Match.Unknown u -> unknown(u, v6family, sets);
        };
    }

    private static Cond not(Match.Not n, boolean v6family, IpSetIndex sets) {
        return switch (n.match()) {
            case Match.Ports p -> ports(n, p, true);
            case Match.Multiport mp when mp.sports() == null || mp.dports() == null ->
                    multiport(n, mp.sports() != null ? mp.sports() : mp.dports(), mp.sports() != null ? 0 : 1, true);
            case Match.MultiportEither me -> multiport(n, me.ports(), 2, true);
            case Match.Icmp i -> icmp(n, i, true);
            case Match.State s -> state(n, s, true);
            case Match.Mac mac -> new Mac(n, Packet.macBits(mac.macSource()), true);
            case Match.TcpFlags t -> new TcpFlags(n, TcpFlagBits.parse(t.mask()), TcpFlagBits.parse(t.comparison()),
                    true);
            case Match.Iprange r -> new Iprange(n, r.source(), r.from(), r.to(), true);
            case Match.Mark mk -> new Mark(n, mk.value(), mk.mask(), true);
            case Match.Fragment f -> new Always(n);
            case Match.Address a -> addr(n, a.source(), !a.negated());
            case Match.Protocol p -> new Proto(n, RuleParser.readsAs(p.protocol()), !p.negated());
            case Match.Interface i -> new Iface(n, i.in(), i.name(), !i.negated());
            case Match.Set s -> new SetMatch(n, sets, s.setName(), s.flags().startsWith("src"), !s.negated());
            default -> new Unknown(n);
        };
    }

    /** The renderer keeps some multi-module texts as Unknown; they are plain iptables, so read them again. */
    private static Cond unknown(Match.Unknown u, boolean v6family, IpSetIndex sets) {
        RuleParser.Parsed p = RuleParser.parse(u.text(), null);
        if (!p.warnings().isEmpty() || p.rule().verdict() != null || p.rule().matches().isEmpty()) {
            return new Unknown(u);
        }
        List<Cond> parts = new ArrayList<>();
        for (Match m : p.rule().matches()) {
            if (m instanceof Match.Unknown) {
                return new Unknown(u);
            }
            Cond c = compile(m, v6family, sets);
            if (c != null) {
                parts.add(c);
            }
        }
        return new All(u, parts);
    }

    private static Cond addr(Match source, boolean src, boolean neg) {
        String text = source instanceof Match.Not n ? ((Match.Address) n.match()).cidr()
                : ((Match.Address) source).cidr();
        return new Addr(source, src, AddressMask.parse(text), neg);
    }

    private static Cond ports(Match source, Match.Ports p, boolean neg) {
        int proto = RuleParser.readsAs(p.module());
        int[] s = p.sport() == null ? null : PortLists.range(p.sport());
        int[] d = p.dport() == null ? null : PortLists.range(p.dport());
        return new Ports(source, proto, s, d, neg);
    }

    private static Cond multiport(Match source, String list, int which, boolean neg) {
        return new Multiport(source, PortLists.parse(list), which, neg);
    }

    private static Cond icmp(Match source, Match.Icmp i, boolean neg) {
        int type = i.type() == null ? -1 : i.type();
        int lo = i.code() == null ? 0 : i.code();
        int hi = i.code() == null ? 255 : i.code();
        return new Icmp(source, i.v6(), type, lo, hi, neg);
    }

    private static Cond state(Match source, Match.State s, boolean neg) {
        int bits = 0;
        for (String w : s.states()) {
            CtState st = CtState.parseStateWord(w);
            if (st != null) {
                bits |= stateBit(st);
            }
        }
        return new State(source, bits, neg);
    }

    static final class All extends Cond {
        final Cond[] parts;

        All(Match source, List<Cond> parts) {
            super(source);
            this.parts = parts.toArray(new Cond[0]);
        }

        int test(View v) {
            int r = YES;
            for (Cond c : parts) {
                int x = c.test(v);
                if (x == NO) {
                    return NO;
                }
                if (x == UNKNOWN) {
                    r = UNKNOWN;
                }
            }
            return r;
        }
    }

    static final class Addr extends Cond {
        final boolean src;
        final AddressMask m;
        final boolean neg;

        Addr(Match source, boolean src, AddressMask m, boolean neg) {
            super(source);
            this.src = src;
            this.m = m;
            this.neg = neg;
        }

        int test(View v) {
            if (m.v6() != v.v6) {
                return UNKNOWN;
            }
            boolean in = src ? m.matches(v.srcHi, v.srcLo) : m.matches(v.dstHi, v.dstLo);
            return bool(in != neg);
        }
    }

    static final class Proto extends Cond {
        final int num;
        final boolean neg;

        Proto(Match source, int num, boolean neg) {
            super(source);
            this.num = num;
            this.neg = neg;
        }

        int test(View v) {
            if (num < 0) {
                return UNKNOWN;
            }
            if (num == 0) {
                return bool(!neg); // "all"
            }
            return bool((v.proto == num) != neg);
        }
    }

    static final class Iface extends Cond {
        final boolean in;
        final String name;
        final boolean prefix;
        final boolean neg;

        Iface(Match source, boolean in, String name, boolean neg) {
            super(source);
            this.in = in;
            this.prefix = name.endsWith("+");
            this.name = prefix ? name.substring(0, name.length() - 1) : name;
            this.neg = neg;
        }

        int test(View v) {
            String dev = in ? v.in : v.out;
            if (dev == null) {
                return UNKNOWN;
            }
            boolean eq = prefix ? dev.startsWith(name) : dev.equals(name);
            return bool(eq != neg);
        }

        @Override
        int keyKind() {
            return prefix || neg ? 0 : in ? 3 : 4;
        }

        @Override
        String keyName() {
            return name;
        }
    }

    /** xt_physdev's physdev_mt, line for line (including: an option on a port the packet lacks). */
    static final class Physdev extends Cond {
        // flag options: 0 not given, 1 given, -1 given inverted
        final int bridged;
        final int isIn;
        final int isOut;
        final boolean inNeg;
        final boolean outNeg;
        final boolean inPrefix;
        final boolean outPrefix;
        final String in;
        final String out;
        final boolean plain;

        Physdev(Match source, Match.PhysdevOptions o) {
            this(source, o, java.util.function.UnaryOperator.identity());
        }

        Physdev(Match source, Match.PhysdevOptions o, java.util.function.UnaryOperator<String> names) {
            super(source);
            bridged = flag(o.isBridged());
            isIn = flag(o.isIn());
            isOut = flag(o.isOut());
            inNeg = o.inNegated();
            outNeg = o.outNegated();
            inPrefix = o.physdevIn() != null && o.physdevIn().endsWith("+");
            outPrefix = o.physdevOut() != null && o.physdevOut().endsWith("+");
            in = o.physdevIn() == null ? null : inPrefix ? o.physdevIn().substring(0, o.physdevIn().length() - 1)
                    : names.apply(o.physdevIn());
            out = o.physdevOut() == null ? null : outPrefix
                    ? o.physdevOut().substring(0, o.physdevOut().length() - 1) : names.apply(o.physdevOut());
            plain = source instanceof Match.Physdev;
        }

        private static int flag(Boolean b) {
            return b == null ? 0 : b ? 1 : -1;
        }

        int test(View v) {
            if (!v.bridged) {
                // no bridge info: only inverted options can match
                if (bridged == 1 || isIn == 1 || isOut == 1 || in != null && !inNeg || out != null && !outNeg) {
                    return NO;
                }
                return YES;
            }
            String outdev = v.physOut;
            String indev = v.physIn;
            if (bridged != 0 && (outdev != null) != (bridged == 1)) {
                return NO;
            }
            if (isIn != 0 && (indev == null) == (isIn == 1)) {
                return NO;
            }
            if (isOut != 0 && (outdev == null) == (isOut == 1)) {
                return NO;
            }
            if (in != null && indev != null) {
                boolean eq = inPrefix ? indev.startsWith(in) : indev.equals(in);
                if (eq == inNeg) {
                    return NO;
                }
            }
            if (out == null) {
                return YES;
            }
            if (outdev == null) {
                return bool(outNeg);
            }
            boolean eq = outPrefix ? outdev.startsWith(out) : outdev.equals(out);
            return bool(eq != outNeg);
        }

        @Override
        int keyKind() {
            if (plain) {
                if (out != null && !outPrefix) {
                    return 2;
                }
                if (in != null && !inPrefix) {
                    return 1;
                }
            }
            return 0;
        }

        @Override
        String keyName() {
            return keyKind() == 2 ? out : in;
        }
    }

    static final class Ports extends Cond {
        final int proto;
        final int[] s;
        final int[] d;
        final boolean neg;

        Ports(Match source, int proto, int[] s, int[] d, boolean neg) {
            super(source);
            this.proto = proto;
            this.s = s;
            this.d = d;
            this.neg = neg;
        }

        int test(View v) {
            if (v.proto != proto) {
                return NO;
            }
            boolean unknown = false;
            if (s != null) {
                if (v.sport < 0) {
                    unknown = true;
                } else if ((v.sport >= s[0] && v.sport <= s[1]) == neg) {
                    return NO;
                }
            }
            if (d != null) {
                if (v.dport < 0) {
                    unknown = true;
                } else if ((v.dport >= d[0] && v.dport <= d[1]) == neg) {
                    return NO;
                }
            }
            return unknown ? UNKNOWN : YES;
        }
    }

    static boolean hasPorts(int proto) {
        return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
    }

    static final class Multiport extends Cond {
        final int[] ranges;
        final int which;
        final boolean neg;

        Multiport(Match source, int[] ranges, int which, boolean neg) {
            super(source);
            this.ranges = ranges;
            this.which = which;
            this.neg = neg;
        }

        int test(View v) {
            if (!hasPorts(v.proto)) {
                return NO;
            }
            if (which == 0 && v.sport < 0 || which == 1 && v.dport < 0 || which == 2 && (v.sport < 0
                    || v.dport < 0)) {
                return UNKNOWN;
            }
            boolean in = false;
            for (int i = 0; i < ranges.length && !in; i += 2) {
                in = which == 0 ? within(v.sport, i) : which == 1 ? within(v.dport, i)
                        : within(v.sport, i) || within(v.dport, i);
            }
            return bool(in != neg);
        }

        private boolean within(int p, int i) {
            return p >= ranges[i] && p <= ranges[i + 1];
        }
    }

    static final class TcpFlags extends Cond {
        final int mask;
        final int comp;
        final boolean neg;

        TcpFlags(Match source, int mask, int comp, boolean neg) {
            super(source);
            this.mask = mask;
            this.comp = comp;
            this.neg = neg;
        }

        int test(View v) {
            if (v.proto != 6) {
                return NO;
            }
            if (v.tcpFlags < 0) {
                return UNKNOWN;
            }
            return bool(((v.tcpFlags & mask) == comp) != neg);
        }
    }

    static final class Icmp extends Cond {
        final boolean v6;
        final int type;
        final int lo;
        final int hi;
        final boolean neg;

        Icmp(Match source, boolean v6, int type, int lo, int hi, boolean neg) {
            super(source);
            this.v6 = v6;
            this.type = type;
            this.lo = lo;
            this.hi = hi;
            this.neg = neg;
        }

        int test(View v) {
            if (v.proto != (v6 ? 58 : 1)) {
                return NO;
            }
            if (type < 0) {
                return bool(!neg); // "any" (0xFF)
            }
            if (v.icmpType < 0) {
                return UNKNOWN;
            }
            if (v.icmpType != type) {
                return bool(neg);
            }
            if ((lo != 0 || hi != 255) && v.icmpCode < 0) {
                return UNKNOWN;
            }
            boolean in = lo == 0 && hi == 255 || v.icmpCode >= lo && v.icmpCode <= hi;
            return bool(in != neg);
        }
    }

    static final class State extends Cond {
        final int bits;
        final boolean neg;

        State(Match source, int bits, boolean neg) {
            super(source);
            this.bits = bits;
            this.neg = neg;
        }

        int test(View v) {
            return bool(((bits & v.stateBit) != 0) != neg);
        }
    }

    static final class Mac extends Cond {
        final long mac;
        final boolean neg;

        Mac(Match source, long mac, boolean neg) {
            super(source);
            this.mac = mac;
            this.neg = neg;
        }

        int test(View v) {
            if (v.srcMac < 0) {
                return UNKNOWN;
            }
            return bool((v.srcMac == mac) != neg);
        }
    }

    static final class SetMatch extends Cond {
        final IpSetIndex sets;
        final IpSetIndex.Entry entry;
        final boolean src;
        final boolean neg;

        SetMatch(Match source, IpSetIndex sets, String name, boolean src, boolean neg) {
            super(source);
            this.sets = sets;
            this.entry = sets.get(name);
            this.src = src;
            this.neg = neg;
        }

        int test(View v) {
            int r = src ? sets.contains(entry, v.v6, v.srcHi, v.srcLo, 0)
                    : sets.contains(entry, v.v6, v.dstHi, v.dstLo, 0);
            if (r < 0) {
                return UNKNOWN;
            }
            return bool((r == 1) != neg);
        }
    }

    static final class Iprange extends Cond {
        final boolean src;
        final long fromHi;
        final long fromLo;
        final long toHi;
        final long toLo;
        final boolean v6;
        final boolean neg;

        Iprange(Match source, boolean src, String from, String to, boolean neg) {
            super(source);
            long[] a = AddressMask.address(from, from);
            long[] b = AddressMask.address(to, to);
            this.src = src;
            this.fromHi = a[0];
            this.fromLo = a[1];
            this.toHi = b[0];
            this.toLo = b[1];
            this.v6 = a[2] == 6;
            this.neg = neg;
        }

        int test(View v) {
            if (v6 != v.v6) {
                return UNKNOWN;
            }
            long hi = src ? v.srcHi : v.dstHi;
            long lo = src ? v.srcLo : v.dstLo;
            boolean in = cmp(hi, lo, fromHi, fromLo) >= 0 && cmp(hi, lo, toHi, toLo) <= 0;
            return bool(in != neg);
        }

        private static int cmp(long h1, long l1, long h2, long l2) {
            int c = Long.compareUnsigned(h1, h2);
            return c != 0 ? c : Long.compareUnsigned(l1, l2);
        }
    }

    static final class Mark extends Cond {
        final long value;
        final long mask;
        final boolean neg;

        Mark(Match source, long value, long mask, boolean neg) {
            super(source);
            this.value = value;
            this.mask = mask;
            this.neg = neg;
        }

        int test(View v) {
            return bool(((v.mark & mask) == value) != neg);
        }
    }

    static final class Never extends Cond {
        Never(Match source) {
            super(source);
        }

        int test(View v) {
            return NO;
        }
    }

    static final class Always extends Cond {
        Always(Match source) {
            super(source);
        }

        int test(View v) {
            return YES;
        }
    }

    static final class Unknown extends Cond {
        Unknown(Match source) {
            super(source);
        }

        int test(View v) {
            return UNKNOWN;
        }
    }

    /** Why a condition could not be decided, for notes. */
    static String unknownReason(Cond c, View v) {
        return switch (c) {
            case Unknown u -> "the evaluator does not model '" + u.source.text() + "'";
            case Iface i -> "the packet's " + (i.in ? "input" : "output") + " interface is not known";
            case Ports p -> "the packet's " + (p.s != null && v.sport < 0 ? "source" : "destination")
                    + " port is not given";
            case Multiport m -> "the packet's ports are not given";
            case TcpFlags t -> "the packet's TCP flags are not given";
            case Icmp i -> "the packet's ICMP " + (v.icmpType < 0 ? "type" : "code") + " is not given";
            case Mac m -> "the packet's source MAC is not given";
            case SetMatch s -> s.entry == null ? "set " + ((Match.Set) (s.source instanceof Match.Not n ? n.match()
                    : s.source)).setName() + " is not in the ipset dump" : "set type " + s.entry.type
                    + " is not modelled";
            case Addr a -> "address of the other family";
            case Proto p -> "protocol '" + p.source.text() + "' is not known";
            case All a -> {
                for (Cond part : a.parts) {
                    if (part.test(v) == UNKNOWN) {
                        yield unknownReason(part, v);
                    }
                }
                yield "not decidable";
            }
            default -> "not decidable";
        };
    }
}
