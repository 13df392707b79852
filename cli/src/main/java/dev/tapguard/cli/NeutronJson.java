package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads security groups as Neutron's API returns them ({@code {"security_group": {...}}},
 * {@code {"security_groups": [...]}}, a bare group, or a host document's {@code security_groups} with
 * {@code rules}) into the model, as stored: no re-validation, the linter judges them.
 */
final class NeutronJson {
    private NeutronJson() {
    }

    static List<SecurityGroup> groups(JsonNode root) {
        List<SecurityGroup> out = new ArrayList<>();
        if (root.has("security_group")) {
            out.add(group(root.get("security_group"), "security_group"));
        } else if (root.has("security_groups")) {
            JsonNode a = root.get("security_groups");
            if (!a.isArray()) {
                throw new IllegalArgumentException("security_groups must be an array");
            }
            for (int i = 0; i < a.size(); i++) {
                out.add(group(a.get(i), "security_groups[" + i + "]"));
            }
        } else if (root.isArray()) {
            for (int i = 0; i < root.size(); i++) {
                out.add(group(root.get(i), "[" + i + "]"));
            }
        } else if (root.has("id")) {
            out.add(group(root, "(group)"));
        } else {
            throw new IllegalArgumentException("expected {\"security_group\": ...}, {\"security_groups\": [...]} or a "
                    + "group object");
        }
        return out;
    }

    static SecurityGroup group(JsonNode g, String at) {
        if (g == null || !g.isObject() || !g.hasNonNull("id")) {
            throw new IllegalArgumentException(at + ": a security group needs an id");
        }
        String id = g.get("id").asText();
        JsonNode rules = g.has("security_group_rules") ? g.get("security_group_rules") : g.get("rules");
        List<SecurityGroupRule> out = new ArrayList<>();
        if (rules != null && !rules.isNull()) {
            if (!rules.isArray()) {
                throw new IllegalArgumentException(at + ".security_group_rules must be an array");
            }
            for (int i = 0; i < rules.size(); i++) {
                out.add(rule(rules.get(i), id, at + ".security_group_rules[" + i + "]", i));
            }
        }
        return new SecurityGroup(id, text(g, "name"), text(g, "description"),
                text(g, "project_id") != null ? text(g, "project_id") : text(g, "tenant_id"),
                !g.has("stateful") || g.get("stateful").asBoolean(true), out);
    }

    static SecurityGroupRule rule(JsonNode r, String groupId, String at, int index) {
        Direction d = Direction.parseOrNull(text(r, "direction"));
        if (d == null) {
            throw new IllegalArgumentException(at + ".direction must be ingress or egress");
        }
        Ethertype e = r.hasNonNull("ethertype") ? Ethertype.parseOrNull(text(r, "ethertype")) : Ethertype.IPv4;
        if (e == null) {
            throw new IllegalArgumentException(at + ".ethertype must be IPv4 or IPv6");
        }
        String proto = r.hasNonNull("protocol") ? r.get("protocol").asText() : null;
        Remote remote = Remote.ANY;
        if (r.hasNonNull("remote_group_id")) {
            remote = new Remote.Group(text(r, "remote_group_id"));
        } else if (r.hasNonNull("remote_address_group_id")) {
            remote = new Remote.AddressGroup(text(r, "remote_address_group_id"));
        } else if (r.hasNonNull("remote_ip_prefix")) {
            String p = text(r, "remote_ip_prefix");
            try {
                Cidr c = Cidr.parse(p);
                remote = new Remote.IpPrefix(c.text(), c.normalized());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + ".remote_ip_prefix: " + ex.getMessage());
            }
        }
        String id = r.hasNonNull("id") ? text(r, "id") : groupId + "#" + index;
        return new SecurityGroupRule(id, groupId, text(r, "project_id"), d, e, proto, integer(r, "port_range_min", at),
                integer(r, "port_range_max", at), remote, text(r, "description"));
    }

    private static Integer integer(JsonNode r, String f, String at) {
        JsonNode v = r.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.canConvertToInt()) {
            return v.asInt();
        }
        try {
            return Integer.parseInt(v.asText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at + "." + f + " must be an integer");
        }
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }
}
