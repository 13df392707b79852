package dev.tapguard.server.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Per-project quota overrides; resources without a row use the defaults. */
public final class QuotaStore {
    private QuotaStore() {
    }

    /** Neutron's default quotas, in the order Neutron prints them. */
    public static final Map<String, Long> DEFAULTS;

    static {
        Map<String, Long> d = new LinkedHashMap<>();
        d.put("network", 100L);
        d.put("subnet", 100L);
        d.put("subnetpool", -1L);
        d.put("port", 500L);
        d.put("rbac_policy", 10L);
        d.put("security_group", 10L);
        d.put("security_group_rule", 100L);
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    public static Map<String, Long> limits(Handle h, String project) {
        Map<String, Long> out = new LinkedHashMap<>(DEFAULTS);
        h.createQuery("SELECT resource_name, hard_limit FROM quotas WHERE project_id = :p").bind("p", project)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public static long limit(Handle h, String project, String resource) {
        return h.createQuery("SELECT hard_limit FROM quotas WHERE project_id = :p AND resource_name = :r")
                .bind("p", project).bind("r", resource).mapTo(Long.class).findOne()
                .orElse(DEFAULTS.getOrDefault(resource, -1L));
    }

    public static void set(Handle h, String project, String resource, long limit) {
        int n = h.createUpdate("UPDATE quotas SET hard_limit = :l WHERE project_id = :p AND resource_name = :r")
                .bind("l", limit).bind("p", project).bind("r", resource).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO quotas (project_id, resource_name, hard_limit) VALUES (:p, :r, :l)")
                    .bind("l", limit).bind("p", project).bind("r", resource).execute();
        }
    }

    public static int reset(Handle h, String project) {
        return h.createUpdate("DELETE FROM quotas WHERE project_id = :p").bind("p", project).execute();
    }

    public static List<String> projectsWithQuotas(Handle h) {
        return h.createQuery("SELECT DISTINCT project_id FROM quotas ORDER BY project_id").mapTo(String.class).list();
    }
}
