package dev.tapguard.agent.firewall;

import dev.tapguard.model.Protocols;
import dev.tapguard.netfilter.Words;
import java.util.List;
import java.util.Locale;

/**
 * The key two rule texts are compared by: what Tapguard writes and what iptables-save prints back differ in
 * spelling only. iptables-save prints MAC addresses lower-case, protocols by the host's /etc/protocols name (or a
 * number), and quotes a comment only when it has a space. The key is the words re-joined with canonical quoting,
 * {@code -p} as Debian's official name (the number where there is none), MACs lower-case. What the renderer writes is
 * almost always already in that form, so the common case costs one scan of the text.
 */
public final class RuleText {
    private RuleText() {
    }

    public static String key(String text) {
        return canonical(text) ? text : fullKey(text);
    }

    /** The key without the fast path (tests check the two agree). */
    static String fullKey(String text) {
        List<String> w = Words.split(text);
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < w.size(); i++) {
            String t = w.get(i);
            String prev = i > 0 ? w.get(i - 1) : "";
            if (prev.equals("-p") || prev.equals("--protocol")) {
                int n = Protocols.readsAs(t.toLowerCase(Locale.ROOT));
                if (n >= 0) {
                    String name = Protocols.debianName(n);
                    t = name != null ? name : Integer.toString(n);
                }
            } else if (prev.equals("--mac-source")) {
                t = t.toLowerCase(Locale.ROOT);
            }
            if (i > 0) {
                sb.append(' ');
            }
            if (t.isEmpty() || needsQuotes(t)) {
                sb.append('"').append(t.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                sb.append(t);
            }
        }
        return sb.toString();
    }

    /** True when the full key would equal the text: no MAC, only official protocol names, canonical quotes. */
    static boolean canonical(String t) {
        if (t.contains("--mac-source") || t.indexOf('\\') >= 0 || t.contains("  ") || t.startsWith(" ")
                || t.endsWith(" ")) {
            return false;
        }
        int p = t.indexOf("-p ");
        while (p >= 0) {
            int end = t.indexOf(' ', p + 3);
            String word = t.substring(p + 3, end < 0 ? t.length() : end);
            int n = Protocols.readsAs(word);
            if (n < 0 || !word.equals(Protocols.debianName(n))) {
                return false;
            }
            p = t.indexOf("-p ", p + 3);
        }
        int q = t.indexOf('"');
        while (q >= 0) {
            int close = t.indexOf('"', q + 1);
            if (close < 0) {
                return false;
            }
            String inner = t.substring(q + 1, close);
            if (inner.isEmpty() || inner.indexOf(' ') < 0 || (q > 0 && t.charAt(q - 1) != ' ')
                    || (close + 1 < t.length() && t.charAt(close + 1) != ' ')) {
                return false;
            }
            q = t.indexOf('"', close + 1);
        }
        return true;
    }

    private static boolean needsQuotes(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }
}
