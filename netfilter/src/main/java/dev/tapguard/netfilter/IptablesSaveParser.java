package dev.tapguard.netfilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a whole iptables-save / ip6tables-save dump (nft and legacy backends print the same format): tables, chain
 * declarations with policies and counters, and rules (with {@code -c}/{@code [p:b]} counters). What it does not
 * understand becomes a warning with its line; it never throws.
 */
public final class IptablesSaveParser {
    private IptablesSaveParser() {
    }

    public static SaveDump parse(String text) {
        List<ParseWarning> warnings = new ArrayList<>();
        List<Table> tables = new ArrayList<>();
        String table = null;
        Map<String, String> policies = new LinkedHashMap<>();
        Map<String, Counters> policyCounters = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        String[] lines = text == null ? new String[0] : text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            int lineNo = n + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                if (line.startsWith("*")) {
                    if (table != null && table.equals(line.substring(1).strip()) && policies.isEmpty()) {
                        warnings.add(new ParseWarning(lineNo, line, "table header repeated"));
                        continue;
                    }
                    if (table != null) {
                        warnings.add(new ParseWarning(lineNo, line, "table " + table + " has no COMMIT"));
                        tables.add(build(table, policies, policyCounters, rules));
                    }
                    table = line.substring(1).strip();
                    policies = new LinkedHashMap<>();
                    policyCounters = new LinkedHashMap<>();
                    rules = new LinkedHashMap<>();
                } else if (line.equals("COMMIT")) {
                    if (table == null) {
                        warnings.add(new ParseWarning(lineNo, line, "COMMIT outside a table"));
                    } else {
                        tables.add(build(table, policies, policyCounters, rules));
                        table = null;
                    }
                } else if (table == null) {
                    warnings.add(new ParseWarning(lineNo, line, "line outside a table"));
                } else if (line.startsWith(":")) {
                    String[] parts = line.substring(1).split("\\s+");
                    String chain = parts[0];
                    String policy = parts.length > 1 && !parts[1].equals("-") ? parts[1] : null;
                    policies.put(chain, policy);
                    policyCounters.put(chain, parts.length > 2 ? counters(parts[2]) : null);
                    rules.computeIfAbsent(chain, k -> new ArrayList<>());
                } else {
                    Counters c = null;
                    String body = line;
                    if (body.startsWith("[")) {
                        int close = body.indexOf(']');
                        c = counters(body.substring(0, close + 1));
                        body = body.substring(close + 1).strip();
                    }
                    if (!body.startsWith("-A ") && !body.startsWith("--append ")) {
                        warnings.add(new ParseWarning(lineNo, line, "not a rule (expected -A CHAIN ...)"));
                        continue;
                    }
                    String rest = body.substring(body.indexOf(' ') + 1).strip();
                    int sp = rest.indexOf(' ');
                    String chain = sp < 0 ? rest : rest.substring(0, sp);
                    String ruleText = sp < 0 ? "" : rest.substring(sp + 1).strip();
                    if (ruleText.startsWith("-c ")) {
                        String[] p = ruleText.split("\\s+", 4);
                        c = new Counters(Long.parseLong(p[1]), Long.parseLong(p[2]));
                        ruleText = p.length > 3 ? p[3] : "";
                    }
                    RuleParser.Parsed parsed = RuleParser.parse(ruleText, Provenance.of(Provenance.Role.FOREIGN));
                    for (String w : parsed.warnings()) {
                        warnings.add(new ParseWarning(lineNo, line, w));
                    }
                    if (!policies.containsKey(chain)) {
                        warnings.add(new ParseWarning(lineNo, line, "rule for undeclared chain " + chain));
                        policies.put(chain, null);
                    }
                    Rule r = parsed.rule();
                    rules.computeIfAbsent(chain, k -> new ArrayList<>()).add(c == null ? r : r.withCounters(c));
                }
            } catch (RuntimeException e) {
                warnings.add(new ParseWarning(lineNo, line, "could not parse (" + e + ")"));
            }
        }
        if (table != null) {
            warnings.add(new ParseWarning(lines.length, "", "table " + table + " has no COMMIT"));
            tables.add(build(table, policies, policyCounters, rules));
        }
        return new SaveDump(tables, warnings);
    }

    private static Counters counters(String s) {
        String t = s.strip();
        if (!t.startsWith("[") || !t.endsWith("]")) {
            return null;
        }
        String[] p = t.substring(1, t.length() - 1).split(":");
        return new Counters(Long.parseLong(p[0]), Long.parseLong(p[1]));
    }

    private static Table build(String name, Map<String, String> policies, Map<String, Counters> policyCounters,
                               Map<String, List<Rule>> rules) {
        List<Chain> chains = new ArrayList<>();
        for (Map.Entry<String, String> e : policies.entrySet()) {
            chains.add(new Chain(e.getKey(), e.getValue(), rules.getOrDefault(e.getKey(), List.of()),
                    policyCounters.get(e.getKey())));
        }
        return new Table(name, chains);
    }
}
