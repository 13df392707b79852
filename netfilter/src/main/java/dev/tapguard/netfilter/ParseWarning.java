package dev.tapguard.netfilter;

/** Something a parser could not fully understand: the 1-based line, the text, and why. */
public record ParseWarning(int line, String text, String reason) {
    @Override
    public String toString() {
        return "line " + line + ": " + reason + ": " + text;
    }
}
