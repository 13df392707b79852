package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.List;

/** Prints tables in iptables-save format: {@code *table}, chain declarations, {@code -A} lines, {@code COMMIT}. */
public final class IptablesSavePrinter {
    private IptablesSavePrinter() {
    }

    /** One table as iptables-save lines, built-in chains first in hook order, then user chains by name. */
    public static List<String> lines(Table table) {
        List<String> out = new ArrayList<>(table.ruleCount() + table.chains().size() + 2);
        out.add("*" + table.name());
        List<Chain> ordered = ordered(table);
        for (Chain c : ordered) {
            Counters pc = c.policyCounters() == null ? Counters.ZERO : c.policyCounters();
            out.add(":" + c.name() + " " + (c.policy() == null ? "-" : c.policy())
                    + " [" + pc.packets() + ":" + pc.bytes() + "]");
        }
        for (Chain c : ordered) {
            String prefix = "-A " + c.name() + " ";
            for (Rule r : c.rules()) {
                out.add(r.text().isEmpty() ? "-A " + c.name() : prefix + r.text());
            }
        }
        out.add("COMMIT");
        return out;
    }

    /** Whole tables, each ending in COMMIT, as text with a trailing newline. */
    public static String print(List<Table> tables) {
        StringBuilder sb = new StringBuilder(1 << 16);
        for (Table t : tables) {
            appendTo(sb, t);
        }
        return sb.toString();
    }

    /** One table appended to sb (no intermediate line strings: dumps run to millions of characters). */
    public static void appendTo(StringBuilder sb, Table table) {
        sb.append('*').append(table.name()).append('\n');
        List<Chain> ordered = ordered(table);
        for (Chain c : ordered) {
            Counters pc = c.policyCounters() == null ? Counters.ZERO : c.policyCounters();
            sb.append(':').append(c.name()).append(' ').append(c.policy() == null ? "-" : c.policy())
                    .append(" [").append(pc.packets()).append(':').append(pc.bytes()).append("]\n");
        }
        for (Chain c : ordered) {
            for (Rule r : c.rules()) {
                sb.append("-A ").append(c.name());
                if (!r.text().isEmpty()) {
                    sb.append(' ').append(r.text());
                }
                sb.append('\n');
            }
        }
        sb.append("COMMIT\n");
    }

    /** Built-in chains in the kernel's hook order, then the others sorted by name (as the oracle lists them). */
    public static List<Chain> ordered(Table table) {
        List<String> builtins = Table.BUILTIN_CHAINS.getOrDefault(table.name(), List.of());
        List<Chain> out = new ArrayList<>(table.chains().size());
        for (String b : builtins) {
            Chain c = table.chain(b);
            if (c != null) {
                out.add(c);
            }
        }
        List<Chain> rest = new ArrayList<>();
        for (Chain c : table.chains()) {
            if (!builtins.contains(c.name())) {
                rest.add(c);
            }
        }
        rest.sort((a, b) -> a.name().compareTo(b.name()));
        out.addAll(rest);
        return out;
    }
}
