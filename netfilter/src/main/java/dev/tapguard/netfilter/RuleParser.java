package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the words of one rule (what follows {@code -A CHAIN}) into matches and a verdict. Anything it does not
 * model becomes {@link Match.Unknown} / {@link Verdict.Other} and a warning, never an exception.
 */
public final class RuleParser {
    private RuleParser() {
    }

    /** The parsed rule (text kept verbatim) and warnings about the parts that were not understood. */
    public record Parsed(Rule rule, List<String> warnings) {
    }

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
        int i = 0;
        boolean neg = false;
        while (i < w.size()) {
            String t = w.get(i);
            try {
                switch (t) {
                    case "!" -> {
                        neg = true;
                        i++;
                        continue;
                    }
                    case "-s", "--source", "--src" -> matches.add(new Match.Address(true, w.get(++i), neg));
                    case "-d", "--destination", "--dst" -> matches.add(new Match.Address(false, w.get(++i), neg));
                    case "-p", "--protocol" -> matches.add(new Match.Protocol(w.get(++i), neg));
                    case "-i", "--in-interface" -> matches.add(new Match.Interface(true, w.get(++i), neg));
                    case "-o", "--out-interface" -> matches.add(new Match.Interface(false, w.get(++i), neg));
                    case "-m", "--match" -> {
                        int end = moduleEnd(w, i + 2);
                        matches.add(module(w.get(i + 1), w.subList(i + 2, end), warnings));
                        i = end;
                        neg = false;
                        continue;
                    }
                    case "-j", "--jump" -> {
                        int end = targetEnd(w, i + 2);
                        verdict = target(w.get(i + 1), w.subList(i + 2, end), warnings);
                        i = end;
                        continue;
                    }
                    case "-g", "--goto" -> verdict = new Verdict.Goto(w.get(++i));
                    case "-f", "--fragment" -> matches.add(new Match.Unknown((neg ? "! " : "") + t));
                    case "-c", "--set-counters" -> i += 2;
                    default -> {
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
        return new Parsed(new Rule(matches, verdict, provenance, null, ruleText), warnings);
    }

    private static boolean isOption(String s) {
        return s.startsWith("--");
    }

    /** A module's options run until the next -m/-j/-g/-p/... word that is not an option value. */
    private static int moduleEnd(List<String> w, int from) {
        int i = from;
        while (i < w.size()) {
            String t = w.get(i);
            if (t.equals("!") && i + 1 < w.size() && isOption(w.get(i + 1))) {
                i++;
                continue;
            }
            if (!isOption(t)) {
                return i;
            }
            i++;
            while (i < w.size() && !isOption(w.get(i)) && !w.get(i).startsWith("-") && !w.get(i).equals("!")) {
                i++;
            }
            // negative numbers never occur as option values here; "-" alone is a value for some modules
        }
        return i;
    }

    private static int targetEnd(List<String> w, int from) {
        int i = from;
        while (i < w.size() && (isOption(w.get(i)) || (i > from && !w.get(i).startsWith("-")))) {
            i++;
        }
        return i;
    }

    private static Match module(String name, List<String> opts, List<String> warnings) {
        String joined = "-m " + name + (opts.isEmpty() ? "" : " " + String.join(" ", quoteAll(opts)));
        try {
            switch (name) {
                case "physdev" -> {
                    String in = null;
                    String out = null;
                    boolean br = false;
                    boolean isIn = false;
                    boolean isOut = false;
                    for (int i = 0; i < opts.size(); i++) {
                        switch (opts.get(i)) {
                            case "--physdev-in" -> in = opts.get(++i);
                            case "--physdev-out" -> out = opts.get(++i);
                            case "--physdev-is-bridged" -> br = true;
                            case "--physdev-is-in" -> isIn = true;
                            case "--physdev-is-out" -> isOut = true;
                            default -> {
                                return unknown(joined, "physdev option " + opts.get(i), warnings);
                            }
                        }
                    }
                    return new Match.Physdev(in, out, br, isIn, isOut);
                }
                case "tcp", "udp", "sctp", "dccp", "udplite" -> {
                    String sport = null;
                    String dport = null;
                    for (int i = 0; i < opts.size(); i++) {
                        switch (opts.get(i)) {
                            case "--sport", "--source-port" -> sport = opts.get(++i);
                            case "--dport", "--destination-port" -> dport = opts.get(++i);
                            default -> {
                                return unknown(joined, name + " option " + opts.get(i), warnings);
                            }
                        }
                    }
                    return new Match.Ports(name, sport, dport);
                }
                case "multiport" -> {
                    String sports = null;
                    String dports = null;
                    for (int i = 0; i < opts.size(); i++) {
                        switch (opts.get(i)) {
                            case "--sports", "--source-ports" -> sports = opts.get(++i);
                            case "--dports", "--destination-ports" -> dports = opts.get(++i);
                            default -> {
                                return unknown(joined, "multiport option " + opts.get(i), warnings);
                            }
                        }
                    }
                    return new Match.Multiport(sports, dports);
                }
                case "icmp", "icmp6" -> {
                    if (opts.isEmpty()) {
                        return new Match.Icmp(name.equals("icmp6"), null, null);
                    }
                    if (opts.size() == 2 && (opts.get(0).equals("--icmp-type") || opts.get(0).equals("--icmpv6-type"))) {
                        String v = opts.get(1);
                        int slash = v.indexOf('/');
                        Integer type = Integer.parseInt(slash < 0 ? v : v.substring(0, slash));
                        Integer code = slash < 0 ? null : Integer.parseInt(v.substring(slash + 1));
                        return new Match.Icmp(name.equals("icmp6"), type, code);
                    }
                    return unknown(joined, "icmp option", warnings);
                }
                case "state", "conntrack" -> {
                    if (opts.size() == 2 && (opts.get(0).equals("--state") || opts.get(0).equals("--ctstate"))) {
                        return new Match.State(List.of(opts.get(1).split(",")), name.equals("conntrack"));
                    }
                    return unknown(joined, name + " options", warnings);
                }
                case "mac" -> {
                    if (opts.size() == 2 && opts.get(0).equals("--mac-source")) {
                        return new Match.Mac(opts.get(1));
                    }
                    return unknown(joined, "mac options", warnings);
                }
                case "set" -> {
                    boolean negated = false;
                    int i = 0;
                    if (!opts.isEmpty() && opts.get(0).equals("!")) {
                        negated = true;
                        i = 1;
                    }
                    if (opts.size() == i + 3 && opts.get(i).equals("--match-set")) {
                        return new Match.Set(opts.get(i + 1), opts.get(i + 2), negated);
                    }
                    return unknown(joined, "set options", warnings);
                }
                case "comment" -> {
                    if (opts.size() == 2 && opts.get(0).equals("--comment")) {
                        return new Match.Comment(opts.get(1));
                    }
                    return unknown(joined, "comment options", warnings);
                }
                default -> {
                    return unknown(joined, "module " + name, warnings);
                }
            }
        } catch (RuntimeException e) {
            return unknown(joined, "module " + name + " (" + e.getMessage() + ")", warnings);
        }
    }

    private static Match unknown(String text, String what, List<String> warnings) {
        warnings.add("not understood: " + what);
        return new Match.Unknown(text);
    }

    private static Verdict target(String name, List<String> opts, List<String> warnings) {
        switch (name) {
            case "ACCEPT":
                return Verdict.ACCEPT;
            case "DROP":
                return Verdict.DROP;
            case "RETURN":
                return Verdict.RETURN;
            case "REJECT":
                return new Verdict.Reject(opts.size() == 2 && opts.get(0).equals("--reject-with") ? opts.get(1) : null);
            case "CT":
                if (opts.size() == 1 && opts.get(0).equals("--notrack")) {
                    return Verdict.NOTRACK;
                }
                if (opts.size() == 2 && opts.get(0).equals("--zone")) {
                    try {
                        return new Verdict.CtZone(Integer.parseInt(opts.get(1)));
                    } catch (NumberFormatException e) {
                        warnings.add("CT zone '" + opts.get(1) + "' is not a number");
                    }
                }
                return new Verdict.Other("-j CT" + (opts.isEmpty() ? "" : " " + String.join(" ", quoteAll(opts))));
            default:
                if (!opts.isEmpty() || name.equals(name.toUpperCase(java.util.Locale.ROOT)) && !name.contains("-")
                        && isKnownTarget(name)) {
                    return new Verdict.Other("-j " + name + (opts.isEmpty() ? "" : " " + String.join(" ",
                            quoteAll(opts))));
                }
                return new Verdict.Jump(name);
        }
    }

    private static boolean isKnownTarget(String name) {
        return switch (name) {
            case "LOG", "NFLOG", "MARK", "CONNMARK", "MASQUERADE", "SNAT", "DNAT", "REDIRECT", "NOTRACK", "TRACE",
                 "TCPMSS", "CHECKSUM", "NFQUEUE", "AUDIT", "CLASSIFY", "DSCP", "TOS", "TTL", "HL", "SET", "TEE",
                 "TPROXY", "ULOG", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "SYNPROXY" -> true;
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
