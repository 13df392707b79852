package dev.tapguard.netfilter;

import java.util.Locale;

/** The conntrack state a packet has when the filter table sees it (what {@code -m state} matches). */
public enum CtState {
    NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED;

    /** The lower-case name used by the command line and JSON. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CtState parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("conntrack state must be new, established, related, invalid or "
                    + "untracked, not '" + s + "'");
        }
    }

    /**
     * A word of {@code --state}/{@code --ctstate}: a state, or SNAT/DNAT (conntrack's virtual states, which a packet
     * the evaluator sees never has). Returns null for SNAT/DNAT; throws for anything else.
     */
    public static CtState parseStateWord(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.equals("SNAT") || u.equals("DNAT")) {
            return null;
        }
        try {
            return valueOf(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown state '" + s + "'");
        }
    }
}
