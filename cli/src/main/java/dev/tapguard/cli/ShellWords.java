package dev.tapguard.cli;

import java.util.ArrayList;
import java.util.List;

/** Splits a command line as a POSIX shell would for the simple quoting the capture plan prints ('...', "...", \). */
final class ShellWords {
    private ShellWords() {
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote == '\'') {
                if (ch == '\'') {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (quote == '"') {
                if (ch == '"') {
                    quote = 0;
                } else if (ch == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    w.append(line.charAt(++i));
                } else {
                    w.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                inWord = true;
            } else if (ch == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(ch);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
