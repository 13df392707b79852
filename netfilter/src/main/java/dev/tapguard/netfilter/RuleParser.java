package dev.tapguard.netfilter;

import dev.tapguard.model.Protocols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the words of one rule (what follows {@code -A CHAIN}) into matches and a verdict, as iptables-save prints
 * them (nft and legacy backends alike). Anything it does not model becomes {@link Match.Unknown} /
 * {@link Verdict.Other} and a warning, never an exception; the rule's text is kept verbatim.
 */
public final class RuleParser {
    private RuleParser() {
    }

    /** The parsed rule (text kept verbatim) and warnings about the parts that were not understood. */
    public record Parsed(Rule rule, List<String> warnings) {
    }

    /** Options that take no value; every other option of a known module or target takes one (two where listed). */
    private static final java.util.Set<String> FLAGS = java.util.Set.of("--physdev-is-bridged", "--physdev-is-in",
            "--physdev-is-out", "--syn", "--return-nomatch", "--update-counters", "--update-subcounters",
            "--limit-iface-in", "--limit-iface-out", "--notrack", "--random", "--random-fully", "--persistent",
            "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode",
            "--rsource", "--rdest", "--set", "--rcheck", "--update", "--remove", "--nodst", "--fully-random",
            "--queue-bypass", "--fail-open", "--clamp-mss-to-pmtu", "--checksum-fill", "--save-mark",
            "--restore-mark", "--ecn-tcp-remove", "--exist", "--reap");
    private static final Map<String, Integer> TWO = Map.of("--tcp-flags", 2, "--match-set", 2, "--set-dscp-class", 1);
    /** Options whose one value may look like an option ({@code --comment "--x"}). */
    private static final java.util.Set<String> ANY_VALUE = java.util.Set.of("--comment", "--log-prefix",
            "--nflog-prefix");
    private static final java.util.Set<String> KNOWN_MODULES = java.util.Set.of("physdev", "tcp", "udp", "sctp",
            "dccp", "udplite", "multiport", "icmp", "icmp6", "icmpv6", "state", "conntrack", "mac", "set", "comment",
            "iprange", "mark");

    public static Parsed parse(String ruleText, Provenance provenance) {
        List<String> warnings = new ArrayList<>();
        List<String> w;
        try {
            w = Words.split(ruleText);
        } catch (IllegalArgumentException e) {
            warnings.add(e.getMessage());
            return new Parsed(new Rule(List.of(new Match.Unknown(ruleText)), null, provenance, null, ruleText),
                    warnings);
        }
        List<Match> matches = new ArrayList<>();
        Verdict verdict = null;
        String protocol = null;
        int i = 0;
        boolean neg = false;
        while (i < w.size()) {
            String t = w.get(i);
            try {
                switch (t) {
                    case "!" -> {
                        if (neg) {
                            warnings.add("'!' twice");
                        }
                        neg = true;
                        i++;
                        continue;
                    }
                    case "-s", "--source", "--src" -> matches.add(address(true, w.get(++i), neg, warnings));
                    case "-d", "--destination", "--dst" -> matches.add(address(false, w.get(++i), neg, warnings));
                    case "-p", "--protocol" -> {
                        String p = w.get(++i);
                        if (readsAs(p) < 0) {
                            warnings.add("unknown protocol '" + p + "'");
                            matches.add(new Match.Unknown((neg ? "! " : "") + "-p " + p));
                        } else {
                            matches.add(new Match.Protocol(p, neg));
                            protocol = neg ? null : p.toLowerCase(Locale.ROOT);
                        }
                    }
                    case "-i", "--in-interface" -> matches.add(new Match.Interface(true, w.get(++i), neg));
                    case "-o", "--out-interface" -> matches.add(new Match.Interface(false, w.get(++i), neg));
                    case "-f", "--fragment" -> matches.add(neg ? new Match.Not(new Match.Fragment())
                            : new Match.Fragment());
                    case "-m", "--match" -> {
                        String name = w.get(i + 1);
                        int end = optionsEnd(w, i + 2);
                        if (neg) {
                            warnings.add("'!' before -m " + name);
                        }
                        matches.addAll(module(name, w.subList(i + 2, end), warnings));
                        i = end;
                        neg = false;
                        continue;
                    }
                    case "-j", "--jump" -> {
                        String name = w.get(i + 1);
                        int end = optionsEnd(w, i + 2);
                        if (verdict != null) {
                            warnings.add("second target " + name);
                        }
                        verdict = target(name, w.subList(i + 2, end), warnings);
                        i = end;
                        neg = false;
                        continue;
                    }
                    case "-g", "--goto" -> verdict = new Verdict.Goto(w.get(++i));
                    case "-c", "--set-counters" -> i += 2;
                    case "-4", "--ipv4", "-6", "--ipv6" -> {
                        // the family is the dump's
                    }
                    default -> {
                        String implicit = t.startsWith("--") ? implicitModule(protocol) : null;
                        if (implicit != null) {
                            // an option of the protocol's own module written without -m (iptables loads it)
                            int end = optionsEnd(w, neg ? i - 1 : i);
                            List<String> opts = new ArrayList<>(w.subList(neg ? i - 1 : i, end));
                            matches.addAll(module(implicit, opts, warnings));
                            i = end;
                            neg = false;
                            continue;
                        }
                        warnings.add("unknown word '" + t + "'");
                        matches.add(new Match.Unknown(t));
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                warnings.add("'" + t + "' without a value");
                matches.add(new Match.Unknown(t));
            }
            neg = false;
            i++;
        }
        if (neg) {
            warnings.add("'!' at the end of the rule");
        }
        return new Parsed(new Rule(matches, verdict, provenance, null, ruleText), warnings);
    }

    /** The protocol number ip(6)tables reads for a {@code -p} word (case-insensitive names, "all" = 0). */
    public static int readsAs(String word) {
        return Protocols.readsAs(word.toLowerCase(Locale.ROOT));
    }

    private static String implicitModule(String protocol) {
        if (protocol == null) {
            return null;
        }
        return switch (protocol) {
            case "tcp", "udp", "sctp", "dccp", "udplite" -> protocol;
            case "icmp" -> "icmp";
            case "ipv6-icmp", "icmpv6" -> "icmp6";
            default -> null;
        };
    }

    private static Match address(boolean source, String value, boolean neg, List<String> warnings) {
        try {
            AddressMask.parse(value);
            return new Match.Address(source, value, neg);
        } catch (RuntimeException e) {
            warnings.add("bad address '" + value + "'");
            return new Match.Unknown((neg ? "! " : "") + (source ? "-s " : "-d ") + value);
        }
    }

    /**
     * Where the options of a module or target end: options start with {@code --} (or {@code !} before one); a known
     * option takes its known number of values; an unknown one takes the words up to the next option.
     */
    private static int optionsEnd(List<String> w, int from) {
        int i = from;
        while (i < w.size()) {
            String t = w.get(i);
            if (t.equals("!") && i + 1 < w.size() && w.get(i + 1).startsWith("--")) {
                i++;
                continue;
            }
            if (!t.startsWith("--")) {
                return i;
            }
            i++;
            if (FLAGS.contains(t)) {
                continue;
            }
            Integer n = TWO.get(t);
            if (n != null) {
                i = Math.min(w.size(), i + n);
                continue;
            }
            if (i < w.size() && (ANY_VALUE.contains(t) || !w.get(i).startsWith("--") && !w.get(i).equals("!"))) {
                i++; // one value (comments and prefixes may start with '-')
            }
            while (i < w.size() && !w.get(i).startsWith("-") && !w.get(i).equals("!")) {
                i++; // further values of an option this parser does not know
            }
        }
        return i;
    }

    /** One option of a module, with its {@code !} and values. */
    private record Opt(String name, boolean negated, List<String> values) {
        String value() {
            if (values.size() != 1) {
                throw new IllegalArgumentException(name + " takes one value");
            }
            return values.get(0);
        }
    }

    private static List<Opt> options(List<String> words) {
        List<Opt> out = new ArrayList<>();
        int i = 0;
        while (i < words.size()) {
            boolean n = false;
            if (words.get(i).equals("!")) {
                n = true;
                i++;
            }
            if (i >= words.size()) {
                throw new IllegalArgumentException("'!' without an option");
            }
            String name = words.get(i++);
            int end = i;
            if (!FLAGS.contains(name)) {
                Integer two = TWO.get(name);
                int want = two != null ? two : 1;
                end = Math.min(words.size(), i + want);
                while (end < words.size() && !words.get(end).startsWith("--") && !words.get(end).equals("!")) {
                    end++;
                }
            }
            out.add(new Opt(name, n, List.copyOf(words.subList(i, end))));
            i = end;
        }
        return out;
    }

    private static List<Match> module(String name, List<String> words, List<String> warnings) {
        if (!KNOWN_MODULES.contains(name)) {
            return List.of(unknown(joined(name, words), "module " + name, warnings));
        }
        try {
            List<Opt> opts = options(words);
            return switch (name) {
                case "physdev" -> List.of(physdev(opts));
                case "tcp", "udp", "sctp", "dccp", "udplite" -> ports(name, opts);
                case "multiport" -> multiport(opts);
                case "icmp", "icmp6", "icmpv6" -> icmp(!name.equals("icmp"), opts);
                case "state", "conntrack" -> state(name, opts);
                case "mac" -> List.of(negate(new Match.Mac(single(opts, "--mac-source").value()),
                        opts.get(0).negated()));
                case "set" -> set(opts);
                case "comment" -> List.of(new Match.Comment(single(opts, "--comment").value()));
                case "iprange" -> iprange(opts);
                case "mark" -> List.of(mark(opts));
                default -> List.of(unknown(joined(name, words), "module " + name, warnings));
            };
        } catch (RuntimeException e) {
            return List.of(unknown(joined(name, words), "module " + name + " (" + e.getMessage() + ")", warnings));
        }
    }

    private static String joined(String module, List<String> words) {
        return "-m " + module + (words.isEmpty() ? "" : " " + String.join(" ", quoteAll(words)));
    }

    private static Opt single(List<Opt> opts, String name) {
        if (opts.size() != 1 || !opts.get(0).name().equals(name)) {
            throw new IllegalArgumentException("expected only " + name);
        }
        return opts.get(0);
    }

    private static Match negate(Match m, boolean negated) {
        return negated ? new Match.Not(m) : m;
    }

    private static Match physdev(List<Opt> opts) {
        String in = null;
        String out = null;
        boolean inNeg = false;
        boolean outNeg = false;
        Boolean br = null;
        Boolean isIn = null;
        Boolean isOut = null;
        boolean anyNeg = false;
        for (Opt o : opts) {
            anyNeg |= o.negated();
            switch (o.name()) {
                case "--physdev-in" -> {
                    in = o.value();
                    inNeg = o.negated();
                }
                case "--physdev-out" -> {
                    out = o.value();
                    outNeg = o.negated();
                }
                case "--physdev-is-bridged" -> br = !o.negated();
                case "--physdev-is-in" -> isIn = !o.negated();
                case "--physdev-is-out" -> isOut = !o.negated();
                default -> throw new IllegalArgumentException("option " + o.name());
            }
        }
        if (opts.isEmpty()) {
            throw new IllegalArgumentException("no option");
        }
        if (!anyNeg) {
            return new Match.Physdev(in, out, br != null, isIn != null, isOut != null);
        }
        return new Match.PhysdevOptions(in, inNeg, out, outNeg, br, isIn, isOut);
    }

    private static List<Match> ports(String module, List<Opt> opts) {
        String sport = null;
        String dport = null;
        List<Match> extra = new ArrayList<>();
        for (Opt o : opts) {
            switch (o.name()) {
                case "--sport", "--source-port" -> {
                    String v = portRange(o.value());
                    if (o.negated()) {
                        extra.add(new Match.Not(new Match.Ports(module, v, null)));
                    } else {
                        sport = v;
                    }
                }
                case "--dport", "--destination-port" -> {
                    String v = portRange(o.value());
                    if (o.negated()) {
                        extra.add(new Match.Not(new Match.Ports(module, null, v)));
                    } else {
                        dport = v;
                    }
                }
                case "--tcp-flags" -> {
                    if (!module.equals("tcp") || o.values().size() != 2) {
                        throw new IllegalArgumentException("--tcp-flags");
                    }
                    TcpFlagBits.parse(o.values().get(0));
                    TcpFlagBits.parse(o.values().get(1));
                    extra.add(negate(new Match.TcpFlags(o.values().get(0), o.values().get(1)), o.negated()));
                }
                case "--syn" -> {
                    if (!module.equals("tcp")) {
                        throw new IllegalArgumentException("--syn");
                    }
                    extra.add(negate(new Match.TcpFlags("FIN,SYN,RST,ACK", "SYN"), o.negated()));
                }
                default -> throw new IllegalArgumentException("option " + o.name());
            }
        }
        List<Match> out = new ArrayList<>();
        if (sport != null || dport != null || extra.isEmpty()) {
            out.add(new Match.Ports(module, sport, dport));
        }
        out.addAll(extra);
        return out;
    }

    /** {@code N}, {@code N:M}, {@code N:} or {@code :M}; validated, returned as written. */
    static String portRange(String v) {
        int[] r = PortLists.range(v);
        if (r[0] > r[1]) {
            throw new IllegalArgumentException("port range " + v + " is empty");
        }
        return v;
    }

    private static List<Match> multiport(List<Opt> opts) {
        if (opts.size() != 1) {
            throw new IllegalArgumentException("one of --sports/--dports/--ports");
        }
        Opt o = opts.get(0);
        String list = o.value();
        PortLists.parse(list);
        Match m = switch (o.name()) {
            case "--sports", "--source-ports" -> new Match.Multiport(list, null);
            case "--dports", "--destination-ports" -> new Match.Multiport(null, list);
            case "--ports" -> new Match.MultiportEither(list);
            default -> throw new IllegalArgumentException("option " + o.name());
        };
        return List.of(negate(m, o.negated()));
    }

    private static List<Match> icmp(boolean v6, List<Opt> opts) {
        if (opts.isEmpty()) {
            return List.of(new Match.Icmp(v6, null, null));
        }
        Opt o = opts.size() == 1 ? opts.get(0) : null;
        if (o == null || !(o.name().equals("--icmp-type") || o.name().equals("--icmpv6-type"))) {
            throw new IllegalArgumentException("expected only --icmp-type");
        }
        return List.of(negate(IcmpTypes.parse(v6, o.value()), o.negated()));
    }

    private static List<Match> state(String module, List<Opt> opts) {
        List<Match> out = new ArrayList<>();
        for (Opt o : opts) {
            boolean ok = module.equals("state") ? o.name().equals("--state") : o.name().equals("--ctstate");
            if (!ok) {
                throw new IllegalArgumentException("option " + o.name());
            }
            List<String> states = List.of(o.value().split(","));
            for (String s : states) {
                CtState.parseStateWord(s);
            }
            out.add(negate(new Match.State(states, module.equals("conntrack")), o.negated()));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no state");
        }
        return out;
    }

    private static List<Match> set(List<Opt> opts) {
        Opt o = single(opts, "--match-set");
        if (o.values().size() != 2) {
            throw new IllegalArgumentException("--match-set NAME FLAGS");
        }
        String flags = o.values().get(1);
        for (String f : flags.split(",")) {
            if (!f.equals("src") && !f.equals("dst")) {
                throw new IllegalArgumentException("set flag " + f);
            }
        }
        return List.of(new Match.Set(o.values().get(0), flags, o.negated()));
    }

    private static List<Match> iprange(List<Opt> opts) {
        List<Match> out = new ArrayList<>();
        for (Opt o : opts) {
            boolean src = switch (o.name()) {
                case "--src-range" -> true;
                case "--dst-range" -> false;
                default -> throw new IllegalArgumentException("option " + o.name());
            };
            String v = o.value();
            int dash = v.indexOf('-');
            if (dash <= 0) {
                throw new IllegalArgumentException("range " + v);
            }
            String from = v.substring(0, dash);
            String to = v.substring(dash + 1);
            long[] a = AddressMask.address(from, v);
            long[] b = AddressMask.address(to, v);
            if (a[2] != b[2]) {
                throw new IllegalArgumentException("range " + v + " mixes families");
            }
            out.add(negate(new Match.Iprange(src, from, to), o.negated()));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no range");
        }
        return out;
    }

    private static Match mark(List<Opt> opts) {
        Opt o = single(opts, "--mark");
        long[] vm = valueMask(o.value());
        return negate(new Match.Mark(vm[0], vm[1]), o.negated());
    }

    /** {@code V[/M]} in decimal or 0x hex; M defaults to all 32 bits. */
    static long[] valueMask(String s) {
        int slash = s.indexOf('/');
        long v = number(slash < 0 ? s : s.substring(0, slash));
        long m = slash < 0 ? 0xffffffffL : number(s.substring(slash + 1));
        return new long[] {v, m};
    }

    private static long number(String s) {
        long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException("mark " + s + " out of range");
        }
        return v;
    }

    private static Match unknown(String text, String what, List<String> warnings) {
        warnings.add("not understood: " + what);
        return new Match.Unknown(text);
    }

    private static Verdict target(String name, List<String> words, List<String> warnings) {
        String opts = String.join(" ", quoteAll(words));
        try {
            switch (name) {
                case "ACCEPT", "DROP", "RETURN" -> {
                    if (!words.isEmpty()) {
                        warnings.add("-j " + name + " takes no options: " + opts);
                    }
                    return name.equals("ACCEPT") ? Verdict.ACCEPT : name.equals("DROP") ? Verdict.DROP
                            : Verdict.RETURN;
                }
                case "REJECT" -> {
                    if (words.isEmpty()) {
                        return new Verdict.Reject(null);
                    }
                    List<Opt> o = options(words);
                    return new Verdict.Reject(single(o, "--reject-with").value());
                }
                case "CT" -> {
                    List<Opt> o = options(words);
                    if (o.size() == 1 && o.get(0).name().equals("--notrack")) {
                        return Verdict.NOTRACK;
                    }
                    if (o.size() == 1 && o.get(0).name().equals("--zone")) {
                        try {
                            return new Verdict.CtZone(Integer.parseInt(o.get(0).value()));
                        } catch (NumberFormatException e) {
                            warnings.add("CT zone '" + o.get(0).value() + "' is not a number");
                        }
                    }
                    return new Verdict.Other("-j CT" + (opts.isEmpty() ? "" : " " + opts));
                }
                case "NOTRACK" -> {
                    return Verdict.NOTRACK;
                }
                case "LOG" -> {
                    options(words);
                    return new Verdict.Log(opts);
                }
                case "NFLOG" -> {
                    options(words);
                    return new Verdict.Nflog(opts);
                }
                case "MARK" -> {
                    return markTarget(options(words));
                }
                default -> {
                    if (isKnownTarget(name)) {
                        return new Verdict.Other("-j " + name + (opts.isEmpty() ? "" : " " + opts));
                    }
                    if (!words.isEmpty()) {
                        warnings.add("target " + name + " with options is not a chain: " + opts);
                        return new Verdict.Other("-j " + name + " " + opts);
                    }
                    return new Verdict.Jump(name);
                }
            }
        } catch (RuntimeException e) {
            warnings.add("target " + name + " not understood (" + e.getMessage() + ")");
            return new Verdict.Other("-j " + name + (opts.isEmpty() ? "" : " " + opts));
        }
    }

    private static Verdict markTarget(List<Opt> o) {
        if (o.size() != 1) {
            throw new IllegalArgumentException("one MARK option");
        }
        long[] vm = valueMask(o.get(0).value());
        return switch (o.get(0).name()) {
            case "--set-xmark" -> new Verdict.SetMark(vm[0], vm[1]);
            case "--set-mark" -> new Verdict.SetMark(vm[0], vm[1] | vm[0]);
            case "--and-mark" -> new Verdict.SetMark(0, ~vm[0] & 0xffffffffL);
            case "--or-mark" -> new Verdict.SetMark(vm[0], vm[0]);
            case "--xor-mark" -> new Verdict.SetMark(vm[0], 0);
            default -> throw new IllegalArgumentException("MARK option " + o.get(0).name());
        };
    }

    /** Targets of netfilter modules (not chains); the evaluator knows which of them end the walk. */
    public static boolean isKnownTarget(String name) {
        return switch (name) {
            case "LOG", "NFLOG", "MARK", "CONNMARK", "MASQUERADE", "SNAT", "DNAT", "REDIRECT", "NOTRACK", "TRACE",
                 "TCPMSS", "CHECKSUM", "NFQUEUE", "AUDIT", "CLASSIFY", "DSCP", "TOS", "TTL", "HL", "SET", "TEE",
                 "TPROXY", "ULOG", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "SYNPROXY", "NETMAP",
                 "CT", "ECN", "HMARK", "QUEUE", "CLUSTERIP" -> true;
            default -> false;
        };
    }

    private static List<String> quoteAll(List<String> words) {
        List<String> out = new ArrayList<>(words.size());
        for (String s : words) {
            out.add(s.isEmpty() || s.contains(" ") ? "\"" + s + "\"" : s);
        }
        return out;
    }
}
