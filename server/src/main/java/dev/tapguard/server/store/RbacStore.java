package dev.tapguard.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** RBAC policies (security groups only). */
public final class RbacStore {
    private RbacStore() {
    }

    public static Optional<RbacRow> policy(Handle h, String id) {
        return h.createQuery("SELECT * FROM rbac_policies WHERE id = :id").bind("id", id).map(RbacStore::row)
                .findOne();
    }

    public static List<RbacRow> policies(Handle h, String ownedBy) {
        if (ownedBy == null) {
            return h.createQuery("SELECT * FROM rbac_policies ORDER BY id").map(RbacStore::row).list();
        }
        return h.createQuery("SELECT * FROM rbac_policies WHERE project_id = :p ORDER BY id").bind("p", ownedBy)
                .map(RbacStore::row).list();
    }

    public static List<RbacRow> policiesOn(Handle h, String objectId) {
        return h.createQuery("SELECT * FROM rbac_policies WHERE object_id = :o ORDER BY id").bind("o", objectId)
                .map(RbacStore::row).list();
    }

    public static int countPolicies(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM rbac_policies WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    public static void insert(Handle h, RbacRow r) {
        h.createUpdate("INSERT INTO rbac_policies (id, project_id, object_type, object_id, rbac_action, "
                + "target_tenant, attr_id) VALUES (:id, :projectId, :objectType, :objectId, :action, "
                + ":targetTenant, :attrId)").bindMethods(r).execute();
    }

    public static void updateTarget(Handle h, String id, String target) {
        h.createUpdate("UPDATE rbac_policies SET target_tenant = :t WHERE id = :id").bind("t", target).bind("id", id)
                .execute();
    }

    public static void delete(Handle h, String id) {
        h.createUpdate("DELETE FROM rbac_policies WHERE id = :id").bind("id", id).execute();
    }

    static RbacRow row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RbacRow(rs.getString("id"), rs.getString("project_id"), rs.getString("object_type"),
                rs.getString("object_id"), rs.getString("rbac_action"), rs.getString("target_tenant"),
                rs.getLong("attr_id"));
    }
}
