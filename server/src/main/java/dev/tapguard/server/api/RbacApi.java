package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.QuotaStore;
import dev.tapguard.server.store.RbacRow;
import dev.tapguard.server.store.RbacStore;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * {@code /v2.0/rbac-policies} for security groups ({@code access_as_shared}): a shared group is visible to the
 * target project and usable on its ports; a policy others' ports depend on cannot be removed.
 */
public final class RbacApi {
    public static final ResourceSpec SPEC = ResourceSpec.of("rbac_policy", "rbac_policies", List.of(
            Attr.ro("id", true, false, Attr.Type.STRING),
            Attr.createOnly("object_type", true, true, false, Attr.Type.STRING),
            Attr.createOnly("object_id", true, true, false, Attr.Type.STRING),
            Attr.createOnly("tenant_id", false, true, false, Attr.Type.STRING),
            Attr.rw("target_tenant", true, false, Attr.Type.STRING),
            Attr.createOnly("action", true, true, false, Attr.Type.STRING),
            Attr.createOnly("project_id", false, true, false, Attr.Type.STRING)));

    private final Database db;

    public RbacApi(Database db) {
        this.db = db;
    }

    private static boolean canSee(RequestContext ctx, RbacRow r) {
        return ctx.canRead() && (ctx.seesAll() || r.projectId().equals(ctx.projectId()));
    }

    private static RbacRow visible(Handle h, RequestContext ctx, String id) {
        Optional<RbacRow> r = RbacStore.policy(h, id);
        if (r.isEmpty() || !canSee(ctx, r.get())) {
            throw new NeutronException(NeutronErrorType.RbacPolicyNotFound,
                    "RBAC policy of type security_group with ID " + id + " not found");
        }
        return r.get();
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters f = Listing.filters(req, SPEC);
        List<ObjectNode> items = db.read(h -> {
            List<ObjectNode> out = new ArrayList<>();
            if (ctx.canRead()) {
                RbacStore.policies(h, ctx.seesAll() ? null : ctx.projectId()).forEach(r -> out.add(Views.rbac(r)));
            }
            return out;
        });
        return ApiResponse.ok(Listing.respond(req, SPEC, items, f));
    }

    public ApiResponse show(ApiRequest req, String id) {
        ObjectNode o = db.read(h -> Views.rbac(visible(h, req.ctx(), id)));
        return ApiResponse.ok(SecurityGroupsApi.wrap("rbac_policy", Listing.select(o, Listing.fields(req))));
    }

    public ApiResponse create(ApiRequest req) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forCreate(req.json(), SPEC, ctx, false).get(0);
        String type = Values.string(d, "object_type", 255, null).strip().toLowerCase(java.util.Locale.ROOT);
        if (!type.equals("security_group")) {
            throw Errors.invalidInput("'" + d.get("object_type").asText() + "' is not a valid RBAC object type");
        }
        String objectId = Values.string(d, "object_id", 36, null);
        String action = Values.string(d, "action", 255, null);
        if (!action.equals("access_as_shared")) {
            throw Values.invalidReason("action", action + " is not in ['access_as_external', 'access_as_shared']");
        }
        String target = Values.string(d, "target_tenant", 255, null);
        String project = d.get("project_id").asText();
        Guards.canWrite(ctx, "create_rbac_policy");
        RbacRow row = db.write(tx -> {
            Handle h = tx.handle();
            Optional<SecurityGroupRow> g = SecurityGroupStore.group(h, objectId);
            if (g.isEmpty() || !SecurityGroupsApi.canSee(h, ctx, g.get())) {
                throw Errors.securityGroupNotFound(objectId);
            }
            if (!ctx.isAdmin() && !g.get().projectId().equals(ctx.projectId())) {
                throw Errors.invalidInput("Only admins can manipulate policies on objects they do not own");
            }
            long limit = QuotaStore.limit(h, project, "rbac_policy");
            if (limit >= 0 && RbacStore.countPolicies(h, project) + 1 > limit) {
                throw Errors.overQuota("rbac_policy");
            }
            if (RbacStore.policiesOn(h, objectId).stream().anyMatch(p -> p.action().equals(action)
                    && p.targetTenant().equals(target))) {
                throw new NeutronException(NeutronErrorType.DuplicateRbacPolicy,
                        "An RBAC policy already exists with those values.");
            }
            RbacRow r = new RbacRow(UUID.randomUUID().toString(), project, type, objectId, action, target,
                    tx.nextAttrId());
            RbacStore.insert(h, r);
            return r;
        });
        return ApiResponse.created(SecurityGroupsApi.wrap("rbac_policy", Views.rbac(row)));
    }

    public ApiResponse update(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), SPEC, ctx);
        String target = Values.string(d, "target_tenant", 255, null);
        RbacRow row = db.write(tx -> {
            RbacRow r = visible(tx.handle(), ctx, id);
            Guards.canWrite(ctx, "update_rbac_policy");
            if (target == null || target.equals(r.targetTenant())) {
                return r;
            }
            checkNotInUse(tx.handle(), r);
            RbacStore.updateTarget(tx.handle(), id, target);
            return r.withTarget(target);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("rbac_policy", Views.rbac(row)));
    }

    public ApiResponse delete(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            RbacRow r = visible(tx.handle(), ctx, id);
            Guards.canWrite(ctx, "delete_rbac_policy");
            checkNotInUse(tx.handle(), r);
            RbacStore.delete(tx.handle(), id);
            return null;
        });
        return ApiResponse.noContent();
    }

    /** Projects whose ports use the group only through this policy would lose it: 409. */
    private static void checkNotInUse(Handle h, RbacRow r) {
        SecurityGroupRow g = SecurityGroupStore.group(h, r.objectId()).orElseThrow();
        List<RbacRow> others = RbacStore.policiesOn(h, r.objectId()).stream()
                .filter(p -> !p.id().equals(r.id())).toList();
        boolean stillPublic = others.stream().anyMatch(p -> p.targetTenant().equals("*"));
        Set<String> users = SecurityGroupStore.projectsUsing(h, r.objectId());
        for (String project : users) {
            if (project.equals(g.projectId()) || stillPublic) {
                continue;
            }
            boolean affected = r.targetTenant().equals("*") || r.targetTenant().equals(project);
            boolean otherGrant = others.stream().anyMatch(p -> p.targetTenant().equals(project));
            if (affected && !otherGrant) {
                throw new NeutronException(NeutronErrorType.RbacPolicyInUse, "RBAC policy on object "
                        + r.objectId() + " cannot be removed because other objects depend on it.\nDetails: "
                        + "project_id=" + project);
            }
        }
    }

}
