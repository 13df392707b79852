package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Neutron's {@code prepare_request_body}: finds the resource in the body (one, or a bulk list), fills and checks the
 * owner, rejects unknown attributes, missing required ones and ones that may not be written. Value conversion and
 * validation are the resources' own.
 */
public final class Bodies {
    private Bodies() {
    }

    /** The resource dicts of a create request (a single create gives a one-element list). */
    public static List<ObjectNode> forCreate(JsonNode body, ResourceSpec spec, RequestContext ctx, boolean bulk) {
        List<ObjectNode> items = new ArrayList<>();
        if (body == null || body.isNull() || (body.isObject() && body.isEmpty())) {
            throw Errors.badRequest("Resource body required");
        }
        if (!body.isObject()) {
            throw Errors.badRequest("Body contains invalid data");
        }
        if (body.has(spec.collection())) {
            if (!bulk) {
                throw Errors.badRequest("Bulk operation not supported");
            }
            JsonNode list = body.get(spec.collection());
            if (!list.isArray() || list.isEmpty()) {
                if (list.isArray() || list.isNull() || list.isObject() && list.isEmpty()) {
                    throw Errors.badRequest("Resources required");
                }
                throw Errors.badRequest("Body contains invalid data");
            }
            for (JsonNode item : list) {
                if (!item.isObject()) {
                    throw Errors.badRequest("Body contains invalid data");
                }
                JsonNode res = item.has(spec.resource()) ? item.get(spec.resource()) : item;
                items.add(prepare(res, spec, ctx, true));
            }
            return items;
        }
        items.add(prepare(body.get(spec.resource()), spec, ctx, true));
        return items;
    }

    /** True when the body is a bulk request (answered with the collection key). */
    public static boolean isBulk(JsonNode body, ResourceSpec spec) {
        return body != null && body.isObject() && body.has(spec.collection());
    }

    public static ObjectNode forUpdate(JsonNode body, ResourceSpec spec, RequestContext ctx) {
        if (body == null || body.isNull() || (body.isObject() && body.isEmpty())) {
            throw Errors.badRequest("Resource body required");
        }
        if (!body.isObject()) {
            throw Errors.badRequest("Body contains invalid data");
        }
        if (body.has(spec.collection())) {
            throw Errors.badRequest("Bulk operation not supported");
        }
        return prepare(body.get(spec.resource()), spec, ctx, false);
    }

    private static ObjectNode prepare(JsonNode res, ResourceSpec spec, RequestContext ctx, boolean create) {
        if (res == null || res.isNull()) {
            throw Errors.badRequest("Unable to find '" + spec.resource() + "' in request body");
        }
        if (!res.isObject()) {
            throw Errors.badRequest("Object '" + spec.resource() + "' contains invalid data");
        }
        ObjectNode d = ((ObjectNode) res).deepCopy();
        populateProject(d, ctx, create);
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!spec.attrs().containsKey(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw Errors.badRequest("Unrecognized attribute(s) '" + String.join(", ", unknown) + "'");
        }
        for (Attr a : spec.attrs().values()) {
            if (create) {
                if (a.allowPost()) {
                    if (a.required() && !d.has(a.name())) {
                        throw Errors.badRequest("Failed to parse request. Required attribute '" + a.name()
                                + "' not specified");
                    }
                } else if (d.has(a.name())) {
                    throw Errors.badRequest("Attribute '" + a.name() + "' not allowed in POST");
                }
            } else if (d.has(a.name()) && !a.allowPut()) {
                throw Errors.badRequest("Cannot update read-only attribute " + a.name());
            }
        }
        return d;
    }

    /** {@code populate_project_id}: tenant_id and project_id agree, only admins name another project. */
    private static void populateProject(ObjectNode d, RequestContext ctx, boolean create) {
        JsonNode tenant = d.get("tenant_id");
        JsonNode project = d.get("project_id");
        if (tenant != null && project == null) {
            d.set("project_id", tenant);
        } else if (project != null && tenant == null) {
            d.set("tenant_id", project);
        }
        if (d.has("project_id") && !d.get("project_id").equals(d.get("tenant_id"))) {
            throw Errors.badRequest("'project_id' and 'tenant_id' do not match");
        }
        if (d.has("project_id")) {
            JsonNode p = d.get("project_id");
            String value = p.isTextual() ? p.asText() : p.toString();
            if (!value.equals(ctx.projectId()) && !ctx.isAdmin()) {
                throw Errors.badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated "
                        + "project in request requires admin or advsvc privileges");
            }
            if (!p.isTextual()) {
                throw Errors.badRequest("Invalid input for tenant_id. Reason: '" + Py.str(p)
                        + "' is not a valid string.");
            }
            if (value.length() > 255) {
                throw Errors.badRequest("Invalid input for tenant_id. Reason: '" + value
                        + "' exceeds maximum length of 255.");
            }
        }
        if (create && !d.has("project_id")) {
            if (ctx.projectId() != null) {
                d.put("project_id", ctx.projectId());
                d.put("tenant_id", ctx.projectId());
            } else {
                throw Errors.badRequest("Running without keystone AuthN requires that tenant_id is specified");
            }
        }
    }
}
