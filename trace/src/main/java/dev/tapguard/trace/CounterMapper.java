package dev.tapguard.trace;

import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.lint.SecurityGroupLinter;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Counters;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps {@code iptables-save -c} / {@code ip6tables-save -c} output back to a port's security-group rules. With
 * Tapguard's rendered ruleset (and its host view) every kernel rule is matched by chain and text to the rendered
 * rule and its provenance; without it (a dump only), the port's chains are found by Neutron's names and the roles
 * are inferred. iptables-save prints MAC addresses in lower case, so texts are compared with MACs lower-cased.
 */
public final class CounterMapper {
    private CounterMapper() {
    }

    private static final Pattern MAC = Pattern.compile("--mac-source (\\S+)");

    /** With the rendered ruleset: exact provenance, missing and unexpected rules. */
    public static CounterReport map(Ruleset rendered, HostView view, String portId, Map<Family, SaveDump> kernel) {
        Port port = view.ports().stream().filter(p -> p.id().equals(portId)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("port " + portId + " is not bound to host " + view.host()));
        PortNames names = HostNames.of(view.ports().stream().map(Port::id).toList(), view.securityGroups().keySet())
                .port(port.id());
        List<CounterReport.Line> lines = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Family f : Family.values()) {
            for (Table t : rendered.tables(f)) {
                SaveDump dump = kernel.get(f);
                Table k = dump == null ? null : dump.table(t.name());
                for (Chain c : t.chains()) {
                    boolean own = portId.equals(rendered.chainPorts().get(c.name()));
                    List<Rule> ours = new ArrayList<>();
                    for (Rule r : c.rules()) {
                        if (own || mentions(r, names)) {
                            ours.add(r);
                        }
                    }
                    if (ours.isEmpty()) {
                        continue;
                    }
                    Chain kc = k == null ? null : k.chain(c.name());
                    Map<String, Deque<int[]>> kernelByText = new HashMap<>();
                    List<Rule> kernelRules = kc == null ? List.of() : kc.rules();
                    for (int i = 0; i < kernelRules.size(); i++) {
                        kernelByText.computeIfAbsent(normal(kernelRules.get(i).text()), x -> new ArrayDeque<>())
                                .add(new int[] {i});
                    }
                    for (Rule r : ours) {
                        Deque<int[]> at = kernelByText.get(normal(r.text()));
                        if (at == null || at.isEmpty()) {
                            missing.add(f.command() + " " + t.name() + " " + c.name() + ": " + r.text());
                            continue;
                        }
                        int i = at.poll()[0];
                        Counters cnt = kernelRules.get(i).counters();
                        Provenance p = r.provenance();
                        if (p != null && p.portId() == null) {
                            p = p.withPort(portId);
                        }
                        lines.add(new CounterReport.Line(f.command(), t.name(), c.name(), i + 1, kernelRules.get(i)
                                .text(), p, cnt == null ? 0 : cnt.packets(), cnt == null ? 0 : cnt.bytes()));
                    }
                    if (own) {
                        for (Deque<int[]> left : kernelByText.values()) {
                            for (int[] i : left) {
                                unexpected.add(f.command() + " " + t.name() + " " + c.name() + " rule " + (i[0] + 1)
                                        + ": " + kernelRules.get(i[0]).text());
                            }
                        }
                    }
                }
            }
        }
        return new CounterReport(portId, lines, totals(lines, view), missing, unexpected);
    }

    /** From a dump only: the port's chains by Neutron's names, roles inferred. */
    public static CounterReport mapDump(String portId, Map<Family, SaveDump> kernel) {
        PortNames names = HostNames.neutron(portId);
        List<CounterReport.Line> lines = new ArrayList<>();
        for (Family f : Family.values()) {
            SaveDump d = kernel.get(f);
            if (d == null) {
                continue;
            }
            List<String> chainNames = new ArrayList<>();
            d.tables().forEach(t -> t.chains().forEach(c -> chainNames.add(c.name())));
            String wrap = RoleInference.wrapOf(chainNames);
            for (Table t : d.tables()) {
                for (Chain c : t.chains()) {
                    boolean own = wrap != null && (c.name().equals(names.chain(wrap, 'i'))
                            || c.name().equals(names.chain(wrap, 'o')) || c.name().equals(names.chain(wrap, 's')));
                    for (int i = 0; i < c.rules().size(); i++) {
                        Rule r = c.rules().get(i);
                        if (!own && !mentions(r, names)) {
                            continue;
                        }
                        Provenance p = RoleInference.provenance(wrap, c.name(), r, Map.of());
                        Counters cnt = r.counters();
                        lines.add(new CounterReport.Line(f.command(), t.name(), c.name(), i + 1, r.text(),
                                p.withPort(portId), cnt == null ? 0 : cnt.packets(), cnt == null ? 0 : cnt.bytes()));
                    }
                }
            }
        }
        return new CounterReport(portId, lines, List.of(), List.of(), List.of());
    }

    private static boolean mentions(Rule r, PortNames n) {
        String t = r.text();
        return t.contains(" " + n.tap() + " ") || t.endsWith(" " + n.tap()) || t.contains(" " + n.qvb() + " ")
                || t.endsWith(" " + n.qvb());
    }

    static String normal(String text) {
        Matcher m = MAC.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, "--mac-source " + m.group(1).toLowerCase(Locale.ROOT));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static List<CounterReport.RuleTotal> totals(List<CounterReport.Line> lines, HostView view) {
        Map<String, long[]> sums = new LinkedHashMap<>();
        Map<String, String[]> ids = new HashMap<>();
        for (CounterReport.Line l : lines) {
            Provenance p = l.provenance();
            if (p == null || p.role() != Role.SECURITY_GROUP_RULE || p.securityGroupRuleId() == null) {
                continue;
            }
            String key = p.securityGroupId() + "/" + p.securityGroupRuleId();
            long[] s = sums.computeIfAbsent(key, k -> new long[3]);
            s[0]++;
            s[1] += l.packets();
            s[2] += l.bytes();
            ids.put(key, new String[] {p.securityGroupId(), p.securityGroupRuleId()});
        }
        List<CounterReport.RuleTotal> out = new ArrayList<>();
        sums.forEach((k, s) -> {
            String[] id = ids.get(k);
            out.add(new CounterReport.RuleTotal(id[0], id[1], describe(view, id[0], id[1]), (int) s[0], s[1], s[2]));
        });
        return out;
    }

    private static String describe(HostView view, String group, String rule) {
        SecurityGroup g = view.group(group);
        if (g != null) {
            for (SecurityGroupRule r : g.rules()) {
                if (rule.equals(r.id())) {
                    return SecurityGroupLinter.describe(r);
                }
            }
        }
        return null;
    }

    /** The report as text: totals per security-group rule, then every kernel rule of the port. */
    public static String text(CounterReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Counters for port ").append(r.portId()).append('\n');
        if (!r.totals().isEmpty()) {
            sb.append("\nper security-group rule:\n");
            sb.append(String.format(Locale.ROOT, "  %12s %14s  %s%n", "packets", "bytes", "group / rule"));
            for (CounterReport.RuleTotal t : r.totals()) {
                sb.append(String.format(Locale.ROOT, "  %12d %14d  %s / %s%s%n", t.packets(), t.bytes(),
                        t.securityGroupId(), t.securityGroupRuleId(), t.description() == null ? ""
                                : "  (" + t.description() + ")"));
            }
        }
        sb.append("\nper kernel rule:\n");
        for (CounterReport.Line l : r.lines()) {
            Provenance p = l.provenance();
            String role = p == null ? "" : p.securityGroupRuleId() != null ? "rule " + p.securityGroupRuleId()
                    : p.role().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            sb.append(String.format(Locale.ROOT, "  %12d %14d  %s %s %s #%d  [%s]%n    %s%n", l.packets(), l.bytes(),
                    l.family(), l.table(), l.chain(), l.number(), role, l.ruleText()));
        }
        for (String m : r.missing()) {
            sb.append("missing from the kernel: ").append(m).append('\n');
        }
        for (String u : r.unexpected()) {
            sb.append("not Tapguard's: ").append(u).append('\n');
        }
        return sb.toString();
    }
}
