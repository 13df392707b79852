package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.List;

/** Splits an iptables-save line into words the way iptables-restore does: whitespace, double quotes, backslash. */
public final class Words {
    private Words() {
    }

    /** The words of a line; IllegalArgumentException for an unterminated quote. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuote = false;
        boolean have = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                have = true;
            } else if (c == '"') {
                inQuote = !inQuote;
                have = true;
            } else if (!inQuote && Character.isWhitespace(c)) {
                if (have) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    have = false;
                }
            } else {
                cur.append(c);
                have = true;
            }
        }
        if (inQuote) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (have) {
            out.add(cur.toString());
        }
        return out;
    }
}
