package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.QuotaStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v2.0/quotas}: per-project limits (-1 = unlimited), enforced by the resources when they create. */
public final class QuotasApi {
    private final Database db;

    public QuotasApi(Database db) {
        this.db = db;
    }

    private static ObjectNode quota(Map<String, Long> limits) {
        ObjectNode o = Json.object();
        limits.forEach(o::put);
        return o;
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        if (!ctx.isAdmin()) {
            throw Errors.policy("rule:get_quota");
        }
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("quotas");
        db.read(h -> {
            for (String p : QuotaStore.projectsWithQuotas(h)) {
                ObjectNode q = quota(QuotaStore.limits(h, p));
                q.put("project_id", p);
                q.put("tenant_id", p);
                arr.add(q);
            }
            return null;
        });
        return ApiResponse.ok(out);
    }

    public ApiResponse show(ApiRequest req, String project) {
        RequestContext ctx = req.ctx();
        if (!ctx.isAdmin() && !project.equals(ctx.projectId())) {
            throw Errors.policy("rule:get_quota");
        }
        return ApiResponse.ok(SecurityGroupsApi.wrap("quota", quota(db.read(h -> QuotaStore.limits(h, project)))));
    }

    public ApiResponse defaults(ApiRequest req, String project) {
        return ApiResponse.ok(SecurityGroupsApi.wrap("quota", quota(QuotaStore.DEFAULTS)));
    }

    public ApiResponse update(ApiRequest req, String project) {
        RequestContext ctx = req.ctx();
        if (!ctx.isAdmin()) {
            throw Errors.policy("rule:update_quota");
        }
        JsonNode body = req.json();
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw Errors.badRequest("Resource body required");
        }
        JsonNode q = body.get("quota");
        if (q == null || q.isNull()) {
            throw Errors.badRequest("Unable to find 'quota' in request body");
        }
        if (!q.isObject()) {
            throw Errors.badRequest("Object 'quota' contains invalid data");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = q.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!QuotaStore.DEFAULTS.containsKey(k) && !k.equals("project_id") && !k.equals("tenant_id")
                    && !k.equals("force") && !k.equals("check_limit")) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw Errors.badRequest("Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
        }
        Map<String, Long> set = new LinkedHashMap<>();
        for (String r : QuotaStore.DEFAULTS.keySet()) {
            if (q.has(r)) {
                if (q.get(r).isNull()) {
                    throw Errors.invalidInput("'None' is not an integer");
                }
                set.put(r, (long) Values.integer((ObjectNode) q, r, -1, Integer.MAX_VALUE, null));
            }
        }
        Map<String, Long> after = db.write(tx -> {
            set.forEach((r, v) -> QuotaStore.set(tx.handle(), project, r, v));
            return QuotaStore.limits(tx.handle(), project);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("quota", quota(after)));
    }

    public ApiResponse delete(ApiRequest req, String project) {
        RequestContext ctx = req.ctx();
        if (!ctx.isAdmin()) {
            throw Errors.policy("rule:delete_quota");
        }
        db.write(tx -> QuotaStore.reset(tx.handle(), project));
        return ApiResponse.noContent();
    }
}
