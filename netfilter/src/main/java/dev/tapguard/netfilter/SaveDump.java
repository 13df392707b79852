package dev.tapguard.netfilter;

import java.util.List;

/** The tables of one iptables-save / ip6tables-save dump, and what the parser could not understand. */
public record SaveDump(List<Table> tables, List<ParseWarning> warnings) {

    public SaveDump {
        tables = List.copyOf(tables);
        warnings = List.copyOf(warnings);
    }

    public Table table(String name) {
        for (Table t : tables) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
