package dev.tapguard.server.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.Deviation;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The effective firewall of one port as the console shows it: the port's own chains of its host's rendered ruleset
 * (ingress {@code -i}, egress {@code -o}, anti-spoofing {@code -s}, both families), then every other rule that exists
 * for the port (dispatch jumps, conntrack zone), each rule with the security-group rule behind it. Pure: a host view
 * and its render in, a JSON document out.
 */
public final class EffectiveRulesView {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EffectiveRulesView() {
    }

    /**
     * @param showHost whether the caller may see the host name (Neutron shows binding:host_id to admins only)
     */
    public static ObjectNode of(HostView view, RenderResult result, RenderOptions options, String portId,
                                boolean showHost) {
        Port port = view.ports().stream().filter(p -> p.id().equals(portId)).findFirst().orElse(null);
        ObjectNode doc = NODES.objectNode();
        doc.put("port_id", portId);
        if (showHost) {
            doc.put("host", view.host());
        } else {
            doc.putNull("host");
        }
        doc.put("revision", view.revision());
        doc.put("layout", "iptables_hybrid");
        doc.put("wrap", options.wrapName());
        ArrayNode chains = doc.putArray("chains");
        if (port == null) {
            doc.put("note", "The port is not bound to a host: no host renders rules for it.");
            doc.putArray("deviations");
            return doc;
        }
        Integer zone = result.zones().get(portId);
        if (zone == null) {
            doc.putNull("zone");
        } else {
            doc.put("zone", zone);
        }
        doc.put("trusted", result.trustedPorts().contains(portId));
        doc.put("port_security", port.portSecurity());
        Set<String> own = new HashSet<>();
        result.ruleset().chainPorts().forEach((chain, id) -> {
            if (id.equals(portId)) {
                own.add(chain);
            }
        });
        String prefix = options.wrapName() + "-";
        for (Family family : Family.values()) {
            for (Table table : result.ruleset().tables(family)) {
                for (Chain chain : table.chains()) {
                    if (!own.contains(chain.name())) {
                        continue;
                    }
                    String direction = direction(chain.name(), prefix);
                    chains.add(chain(family, table, chain, direction, chain.rules(), null));
                }
            }
        }
        for (Family family : Family.values()) {
            for (Table table : result.ruleset().tables(family)) {
                for (Chain chain : table.chains()) {
                    if (own.contains(chain.name())) {
                        continue;
                    }
                    List<Rule> mine = chain.rules().stream()
                            .filter(r -> r.provenance() != null && portId.equals(r.provenance().portId())).toList();
                    if (!mine.isEmpty()) {
                        chains.add(chain(family, table, chain, "dispatch", chain.rules(), portId));
                    }
                }
            }
        }
        if (chains.isEmpty()) {
            doc.put("note", port.trusted() ? "A trusted (network:*) port: the host does not filter it."
                    : !port.portSecurity() ? "Port security is disabled: the host does not filter this port."
                    : "The host renders no chain for this port.");
        }
        ArrayNode deviations = doc.putArray("deviations");
        Set<String> mentions = new HashSet<>();
        mentions.add(portId);
        for (String g : port.securityGroups()) {
            mentions.add(g);
            SecurityGroup sg = view.group(g);
            if (sg != null) {
                sg.rules().stream().map(SecurityGroupRule::id).filter(java.util.Objects::nonNull).forEach(mentions::add);
            }
        }
        for (Deviation d : result.deviations()) {
            if (mentions.stream().anyMatch(m -> d.detail().contains(m))) {
                deviations.addObject().put("section", d.section()).put("name", d.name()).put("message", d.detail());
            }
        }
        return doc;
    }

    /** {@code <wrap>-i...} ingress (to the VM), {@code -o} egress (from the VM), {@code -s} anti-spoofing. */
    static String direction(String chain, String prefix) {
        if (chain.startsWith(prefix) && chain.length() > prefix.length()) {
            return switch (chain.charAt(prefix.length())) {
                case 'i' -> "ingress";
                case 'o' -> "egress";
                case 's' -> "spoof";
                default -> "other";
            };
        }
        return "other";
    }

    /** A chain with its rules numbered as iptables numbers them; {@code onlyPort} keeps that port's rules only. */
    private static ObjectNode chain(Family family, Table table, Chain chain, String direction, List<Rule> rules,
                                    String onlyPort) {
        ObjectNode c = NODES.objectNode();
        c.put("family", family.ethertype().name());
        c.put("table", table.name());
        c.put("name", chain.name());
        c.put("direction", direction);
        ArrayNode out = c.putArray("rules");
        int index = 0;
        for (Rule r : rules) {
            index++;
            Provenance p = r.provenance();
            if (onlyPort != null && (p == null || !onlyPort.equals(p.portId()))) {
                continue;
            }
            out.add(rule(index, r));
        }
        return c;
    }

    static ObjectNode rule(int index, Rule r) {
        ObjectNode o = NODES.objectNode();
        o.put("index", index);
        o.put("text", r.text());
        if (r.verdict() == null) {
            o.putNull("target");
        } else {
            o.put("target", r.verdict().text());
        }
        provenance(o, r.provenance());
        return o;
    }

    static void provenance(ObjectNode o, Provenance p) {
        if (p == null || p.role() == null) {
            o.putNull("role");
        } else {
            o.put("role", p.role().name());
        }
        putNullable(o, "security_group_id", p == null ? null : p.securityGroupId());
        putNullable(o, "security_group_rule_id", p == null ? null : p.securityGroupRuleId());
    }

    static void putNullable(ObjectNode o, String key, String value) {
        if (value == null) {
            o.putNull(key);
        } else {
            o.put(key, value);
        }
    }
}
