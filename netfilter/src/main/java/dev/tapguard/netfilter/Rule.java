package dev.tapguard.netfilter;

import java.util.List;

/**
 * One iptables rule: its matches in the order iptables-save prints them and its verdict (null when the rule only
 * counts). Two rules are the same rule when their text is the same: provenance and counters ride along.
 */
public record Rule(List<Match> matches, Verdict verdict, Provenance provenance, Counters counters, String text) {

    public Rule {
        matches = List.copyOf(matches);
    }

    public static Rule of(List<Match> matches, Verdict verdict, Provenance provenance) {
        return new Rule(matches, verdict, provenance, null, textOf(matches, verdict));
    }

    public static Rule of(Verdict verdict, Provenance provenance, Match... matches) {
        return of(List.of(matches), verdict, provenance);
    }

    public Rule withProvenance(Provenance p) {
        return new Rule(matches, verdict, p, counters, text);
    }

    public Rule withCounters(Counters c) {
        return new Rule(matches, verdict, provenance, c, text);
    }

    /** The comment text, if the rule has one. */
    public String comment() {
        for (Match m : matches) {
            if (m instanceof Match.Comment c) {
                return c.comment();
            }
        }
        return null;
    }

    static String textOf(List<Match> matches, Verdict verdict) {
        StringBuilder sb = new StringBuilder(96);
        for (Match m : matches) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(m.text());
        }
        if (verdict != null) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(verdict.text());
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
