package dev.tapguard.server.store;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.RuleKey;
import dev.tapguard.model.SecurityGroupRule;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Security groups, their rules, default groups and the group-to-port bindings, in SQL. */
public final class SecurityGroupStore {
    private SecurityGroupStore() {
    }

    private static final String RULE_COLUMNS = "id, security_group_id, project_id, direction, ethertype, protocol, "
            + "port_range_min, port_range_max, remote_ip_prefix, normalized_cidr, remote_group_id, "
            + "remote_address_group_id, description, attr_id, revision_number, created_at, updated_at";

    // ------------------------------------------------------------------ groups

    public static Optional<SecurityGroupRow> group(Handle h, String id) {
        return h.createQuery("SELECT * FROM security_groups WHERE id = :id").bind("id", id)
                .map(SecurityGroupStore::group).findOne();
    }

    /** Every group (project null) or those of a project plus those shared with it through RBAC. */
    public static List<SecurityGroupRow> groups(Handle h, String visibleTo) {
        if (visibleTo == null) {
            return h.createQuery("SELECT * FROM security_groups ORDER BY id").map(SecurityGroupStore::group).list();
        }
        return h.createQuery("SELECT * FROM security_groups WHERE project_id = :p OR id IN "
                        + "(SELECT object_id FROM rbac_policies WHERE target_tenant = :p OR target_tenant = '*') "
                        + "ORDER BY id")
                .bind("p", visibleTo).map(SecurityGroupStore::group).list();
    }

    public static List<SecurityGroupRow> groupsByIds(Handle h, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM security_groups WHERE id IN (<ids>)").bindList("ids", List.copyOf(ids))
                .map(SecurityGroupStore::group).list();
    }

    public static void insertGroup(Handle h, SecurityGroupRow g) {
        h.createUpdate("INSERT INTO security_groups (id, project_id, name, description, stateful, attr_id, "
                        + "revision_number, created_at, updated_at) VALUES (:id, :projectId, :name, :description, "
                        + ":stateful, :attrId, :revisionNumber, :createdAt, :updatedAt)")
                .bindMethods(g).execute();
    }

    public static void updateGroup(Handle h, SecurityGroupRow g) {
        h.createUpdate("UPDATE security_groups SET name = :name, description = :description, stateful = :stateful, "
                        + "revision_number = :revisionNumber, updated_at = :updatedAt WHERE id = :id")
                .bindMethods(g).execute();
    }

    /** A change to a group's rules is a change to the group: its revision and updated_at move. */
    public static void touchGroup(Tx tx, String id) {
        tx.handle().createUpdate("UPDATE security_groups SET revision_number = revision_number + 1, "
                + "updated_at = :now WHERE id = :id").bind("now", tx.now()).bind("id", id).execute();
    }

    public static void deleteGroup(Handle h, String id) {
        // rules of other groups that name this one as remote group go with it (ON DELETE CASCADE), as in Neutron
        h.createUpdate("DELETE FROM security_groups WHERE id = :id").bind("id", id).execute();
    }

    public static Optional<String> defaultGroupId(Handle h, String project) {
        return h.createQuery("SELECT security_group_id FROM default_security_groups WHERE project_id = :p")
                .bind("p", project).mapTo(String.class).findOne();
    }

    public static boolean isDefault(Handle h, String groupId) {
        return h.createQuery("SELECT COUNT(*) FROM default_security_groups WHERE security_group_id = :g")
                .bind("g", groupId).mapTo(Integer.class).one() > 0;
    }

    public static void markDefault(Handle h, String project, String groupId) {
        h.createUpdate("INSERT INTO default_security_groups (project_id, security_group_id) VALUES (:p, :g)")
                .bind("p", project).bind("g", groupId).execute();
    }

    public static int countGroups(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM security_groups WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    /** Ports bound to the group (any project). */
    public static List<String> portsUsing(Handle h, String groupId) {
        return h.createQuery("SELECT b.port_id FROM port_security_groups b WHERE b.security_group_id = :g")
                .bind("g", groupId).mapTo(String.class).list();
    }

    /** Projects (other than the owner) whose ports use the group. */
    public static Set<String> projectsUsing(Handle h, String groupId) {
        return new HashSet<>(h.createQuery("SELECT DISTINCT p.project_id FROM port_security_groups b "
                        + "JOIN ports p ON p.id = b.port_id WHERE b.security_group_id = :g")
                .bind("g", groupId).mapTo(String.class).list());
    }

    /** Of the given groups, those shared with the project (or with everyone) through RBAC. */
    public static Set<String> sharedWith(Handle h, Collection<String> groupIds, String project) {
        if (groupIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(h.createQuery("SELECT DISTINCT object_id FROM rbac_policies WHERE object_id IN (<ids>) "
                        + "AND (target_tenant = :p OR target_tenant = '*')")
                .bindList("ids", List.copyOf(groupIds)).bind("p", project == null ? "" : project)
                .mapTo(String.class).list());
    }

    // ------------------------------------------------------------------ rules

    public static Optional<RuleRow> rule(Handle h, String id) {
        return h.createQuery("SELECT " + RULE_COLUMNS + " FROM security_group_rules WHERE id = :id").bind("id", id)
                .map(SecurityGroupStore::rule).findOne();
    }

    /** The rules of the given groups, each group's in creation order. */
    public static Map<String, List<RuleRow>> rulesOf(Handle h, Collection<String> groupIds) {
        Map<String, List<RuleRow>> out = new LinkedHashMap<>();
        groupIds.forEach(g -> out.put(g, new ArrayList<>()));
        if (groupIds.isEmpty()) {
            return out;
        }
        List<String> ids = List.copyOf(groupIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            h.createQuery("SELECT " + RULE_COLUMNS + " FROM security_group_rules WHERE security_group_id IN (<ids>) "
                            + "ORDER BY attr_id").bindList("ids", chunk)
                    .map(SecurityGroupStore::rule)
                    .forEach(r -> out.get(r.groupId()).add(r));
        }
        return out;
    }

    /**
     * Rules a project may list (its own rules and the rules of its groups), or every rule (project null); narrowed
     * to some groups when {@code groupIds} is not null.
     */
    public static List<RuleRow> rules(Handle h, String visibleTo, List<String> groupIds) {
        StringBuilder sql = new StringBuilder("SELECT " + RULE_COLUMNS + " FROM security_group_rules WHERE 1 = 1");
        if (visibleTo != null) {
            sql.append(" AND (project_id = :p OR security_group_id IN "
                    + "(SELECT id FROM security_groups WHERE project_id = :p))");
        }
        if (groupIds != null) {
            if (groupIds.isEmpty()) {
                return List.of();
            }
            sql.append(" AND security_group_id IN (<gids>)");
        }
        sql.append(" ORDER BY id");
        var q = h.createQuery(sql.toString());
        if (visibleTo != null) {
            q.bind("p", visibleTo);
        }
        if (groupIds != null) {
            q.bindList("gids", groupIds);
        }
        return q.map(SecurityGroupStore::rule).list();
    }

    /**
     * A group's rules of one direction and ethertype, in creation order, narrowed (when {@code range} is not null)
     * to those whose port range overlaps {@code range} or that have none: the rules a new rule can shadow or be
     * shadowed by (see {@code SecurityGroupLinter.portRange}).
     */
    public static List<RuleRow> rulesNear(Handle h, String groupId, String direction, String ethertype, int[] range) {
        String sql = "SELECT " + RULE_COLUMNS + " FROM security_group_rules WHERE security_group_id = :g "
                + "AND direction = :d AND ethertype = :e"
                + (range == null ? "" : " AND (port_range_min IS NULL OR (port_range_min <= :max "
                + "AND COALESCE(port_range_max, port_range_min) >= :min))")
                + " ORDER BY attr_id";
        var q = h.createQuery(sql).bind("g", groupId).bind("d", direction).bind("e", ethertype);
        if (range != null) {
            q.bind("min", range[0]).bind("max", range[1]);
        }
        return q.map(SecurityGroupStore::rule).list();
    }

    public static Optional<String> ruleIdByKey(Handle h, RuleKey key) {
        return h.createQuery("SELECT id FROM security_group_rules WHERE rule_key = :k").bind("k", key.text())
                .mapTo(String.class).findOne();
    }

    public static int countRules(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM security_group_rules WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    public static void insertRule(Handle h, RuleRow row) {
        SecurityGroupRule r = row.rule();
        h.createUpdate("INSERT INTO security_group_rules (" + RULE_COLUMNS + ", rule_key) VALUES (:id, :sg, :project, "
                        + ":direction, :ethertype, :protocol, :min, :max, :prefix, :normalized, :remoteGroup, "
                        + ":remoteAddressGroup, :description, :attrId, :revision, :created, :updated, :key)")
                .bind("id", r.id()).bind("sg", r.securityGroupId()).bind("project", r.projectId())
                .bind("direction", r.direction().wire()).bind("ethertype", r.ethertype().name())
                .bind("protocol", r.protocol()).bind("min", r.portRangeMin()).bind("max", r.portRangeMax())
                .bind("prefix", r.remoteIpPrefix()).bind("normalized", r.normalizedCidr())
                .bind("remoteGroup", r.remoteGroupId()).bind("remoteAddressGroup", r.remoteAddressGroupId())
                .bind("description", r.description()).bind("attrId", row.attrId())
                .bind("revision", row.revisionNumber()).bind("created", row.createdAt())
                .bind("updated", row.updatedAt()).bind("key", RuleKey.of(r).text())
                .execute();
    }

    public static int deleteRule(Handle h, String id) {
        return h.createUpdate("DELETE FROM security_group_rules WHERE id = :id").bind("id", id).execute();
    }

    // ------------------------------------------------------------------ mapping

    static SecurityGroupRow group(ResultSet rs, StatementContext ctx) throws SQLException {
        return new SecurityGroupRow(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                rs.getString("description"), rs.getBoolean("stateful"), rs.getLong("attr_id"),
                rs.getLong("revision_number"), rs.getLong("created_at"), rs.getLong("updated_at"));
    }

    static RuleRow rule(ResultSet rs, StatementContext ctx) throws SQLException {
        Remote remote = Remote.ANY;
        String prefix = rs.getString("remote_ip_prefix");
        String group = rs.getString("remote_group_id");
        String addressGroup = rs.getString("remote_address_group_id");
        if (prefix != null) {
            remote = new Remote.IpPrefix(prefix, rs.getString("normalized_cidr"));
        } else if (group != null) {
            remote = new Remote.Group(group);
        } else if (addressGroup != null) {
            remote = new Remote.AddressGroup(addressGroup);
        }
        SecurityGroupRule r = new SecurityGroupRule(rs.getString("id"), rs.getString("security_group_id"),
                rs.getString("project_id"), Direction.parseOrNull(rs.getString("direction")),
                Ethertype.valueOf(rs.getString("ethertype")), rs.getString("protocol"),
                (Integer) rs.getObject("port_range_min"), (Integer) rs.getObject("port_range_max"), remote,
                rs.getString("description"));
        return new RuleRow(r, rs.getLong("attr_id"), rs.getLong("revision_number"), rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }
}
