package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.QuotaStore;
import dev.tapguard.server.store.RuleRow;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import dev.tapguard.server.store.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** {@code /v2.0/security-groups}: CRUD, bulk create, the per-project default group and Neutron's checks. */
public final class SecurityGroupsApi {
    public static final ResourceSpec SPEC = ResourceSpec.of("security_group", "security_groups", List.of(
            Attr.ro("id", true, true, Attr.Type.STRING),
            Attr.rw("name", true, true, Attr.Type.STRING),
            Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING),
            Attr.ro("security_group_rules", false, false, Attr.Type.OTHER),
            Attr.rw("stateful", false, false, Attr.Type.BOOL),
            Attr.ro("shared", true, false, Attr.Type.BOOL),
            Attr.rw("description", true, false, Attr.Type.STRING),
            Attr.ro("revision_number", true, false, Attr.Type.STRING),
            Attr.ro("created_at", false, false, Attr.Type.STRING),
            Attr.ro("updated_at", false, false, Attr.Type.STRING),
            Attr.ro("tags", true, false, Attr.Type.LIST),
            Attr.createOnly("project_id", false, true, true, Attr.Type.STRING)));

    private final Database db;

    public SecurityGroupsApi(Database db) {
        this.db = db;
    }

    // ------------------------------------------------------------------ default group

    /** Creates the project's "default" group (four rules) unless it exists: Neutron does this on first use. */
    public void ensureDefault(String project) {
        if (project == null) {
            return;
        }
        if (db.read(h -> SecurityGroupStore.defaultGroupId(h, project)).isPresent()) {
            return;
        }
        db.write(tx -> {
            if (SecurityGroupStore.defaultGroupId(tx.handle(), project).isEmpty()) {
                createGroup(tx, project, "default", "Default security group", true, true);
            }
            return null;
        });
    }

    /** Inserts a group with its automatic rules: 2 egress rules, or Neutron's 4 for a default group. */
    static SecurityGroupRow createGroup(Tx tx, String project, String name, String description, boolean stateful,
                                        boolean isDefault) {
        String id = UUID.randomUUID().toString();
        SecurityGroupRow g = new SecurityGroupRow(id, project, name, description, stateful, tx.nextAttrId(), 1,
                tx.now(), tx.now());
        SecurityGroupStore.insertGroup(tx.handle(), g);
        for (Ethertype e : Ethertype.values()) {
            if (isDefault) {
                insertAutoRule(tx, g, Direction.INGRESS, e, new Remote.Group(id));
            }
            insertAutoRule(tx, g, Direction.EGRESS, e, Remote.ANY);
        }
        if (isDefault) {
            SecurityGroupStore.markDefault(tx.handle(), project, id);
        }
        return g;
    }

    private static void insertAutoRule(Tx tx, SecurityGroupRow g, Direction d, Ethertype e, Remote remote) {
        SecurityGroupRule r = new SecurityGroupRule(UUID.randomUUID().toString(), g.id(), g.projectId(), d, e, null,
                null, null, remote, null);
        SecurityGroupStore.insertRule(tx.handle(), new RuleRow(r, tx.nextAttrId(), 0, tx.now(), tx.now()));
    }

    // ------------------------------------------------------------------ reads

    /** A group the caller may see (own, shared with its project, or any for admins), else 404. */
    static SecurityGroupRow visible(Handle h, RequestContext ctx, String id) {
        Optional<SecurityGroupRow> g = SecurityGroupStore.group(h, id);
        if (g.isEmpty() || !canSee(h, ctx, g.get())) {
            throw Errors.securityGroupNotFound(id);
        }
        return g.get();
    }

    static boolean canSee(Handle h, RequestContext ctx, SecurityGroupRow g) {
        return ctx.seesAll() || g.projectId().equals(ctx.projectId())
                || !SecurityGroupStore.sharedWith(h, List.of(g.id()), ctx.projectId()).isEmpty();
    }

    /** A group the caller may change: its own (or any, for admins); others' groups are 404. */
    static SecurityGroupRow owned(Handle h, RequestContext ctx, String id) {
        Optional<SecurityGroupRow> g = SecurityGroupStore.group(h, id);
        if (g.isEmpty() || !ctx.owns(g.get().projectId())) {
            throw Errors.securityGroupNotFound(id);
        }
        return g.get();
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters filters = Listing.filters(req, SPEC);
        if (ctx.projectId() != null) {
            ensureDefault(filters.project() != null ? filters.project() : ctx.projectId());
        }
        if (!ctx.canRead()) {
            return ApiResponse.ok(Listing.respond(req, SPEC, List.of(), filters));
        }
        List<ObjectNode> items = db.read(h -> {
            List<SecurityGroupRow> groups = SecurityGroupStore.groups(h, ctx.seesAll() ? null : ctx.projectId());
            return render(h, ctx, groups, Listing.fields(req));
        });
        return ApiResponse.ok(Listing.respond(req, SPEC, items, filters));
    }

    static List<ObjectNode> render(Handle h, RequestContext ctx, List<SecurityGroupRow> groups, List<String> fields) {
        List<String> ids = groups.stream().map(SecurityGroupRow::id).toList();
        boolean withRules = fields.isEmpty() || fields.contains("security_group_rules");
        Map<String, List<RuleRow>> rules = withRules ? SecurityGroupStore.rulesOf(h, ids) : Map.of();
        Set<String> shared = SecurityGroupStore.sharedWith(h, ids, ctx.projectId());
        List<ObjectNode> out = new ArrayList<>(groups.size());
        for (SecurityGroupRow g : groups) {
            out.add(Views.group(g, rules.getOrDefault(g.id(), List.of()), shared.contains(g.id())));
        }
        return out;
    }

    public ApiResponse show(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode o = db.read(h -> {
            if (!ctx.canRead()) {
                throw Errors.securityGroupNotFound(id);
            }
            SecurityGroupRow g = visible(h, ctx, id);
            return render(h, ctx, List.of(g), Listing.fields(req)).get(0);
        });
        return ApiResponse.ok(wrap("security_group", Listing.select(o, Listing.fields(req))));
    }

    // ------------------------------------------------------------------ writes

    public ApiResponse create(ApiRequest req) {
        RequestContext ctx = req.ctx();
        JsonNode body = req.json();
        List<ObjectNode> items = Bodies.forCreate(body, SPEC, ctx, true);
        record New(String project, String name, String description, boolean stateful) {
        }
        List<New> wanted = new ArrayList<>();
        for (ObjectNode d : items) {
            String name = Values.string(d, "name", 255, "");
            String description = Values.string(d, "description", 255, "");
            boolean stateful = Values.bool(d, "stateful", true);
            wanted.add(new New(d.get("project_id").asText(), name, description, stateful));
        }
        Guards.canWrite(ctx, "create_security_group");
        wanted.stream().map(New::project).distinct().forEach(this::ensureDefault);
        List<ObjectNode> created = db.write(tx -> {
            List<SecurityGroupRow> rows = new ArrayList<>();
            for (New n : wanted) {
                if (n.name().equals("default")) {
                    throw new NeutronException(NeutronErrorType.SecurityGroupDefaultAlreadyExists,
                            "Default security group already exists.");
                }
                Handle h = tx.handle();
                long sgLimit = QuotaStore.limit(h, n.project(), "security_group");
                if (sgLimit >= 0 && SecurityGroupStore.countGroups(h, n.project()) + 1 > sgLimit) {
                    throw Errors.overQuota("security_group");
                }
                long ruleLimit = QuotaStore.limit(h, n.project(), "security_group_rule");
                if (ruleLimit >= 0 && SecurityGroupStore.countRules(h, n.project()) + 2 > ruleLimit) {
                    throw Errors.overQuota("security_group_rule");
                }
                rows.add(createGroup(tx, n.project(), n.name(), n.description(), n.stateful(), false));
            }
            return render(tx.handle(), ctx, rows, List.of());
        });
        if (Bodies.isBulk(body, SPEC)) {
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray("security_groups");
            created.forEach(arr::add);
            return ApiResponse.created(out);
        }
        return ApiResponse.created(wrap("security_group", created.get(0)));
    }

    public ApiResponse update(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), SPEC, ctx);
        String name = d.has("name") ? Values.string(d, "name", 255, null) : null;
        String description = d.has("description") ? Values.string(d, "description", 255, null) : null;
        Boolean stateful = d.has("stateful") ? Values.bool(d, "stateful", null) : null;
        ObjectNode o = db.write(tx -> {
            Handle h = tx.handle();
            SecurityGroupRow g = ctx.canRead() ? owned(h, ctx, id) : null;
            if (g == null) {
                throw Errors.securityGroupNotFound(id);
            }
            Guards.canWrite(ctx, "update_security_group");
            Guards.ifMatch(req, g.revisionNumber());
            if (stateful != null && stateful != g.stateful() && !SecurityGroupStore.portsUsing(h, id).isEmpty()) {
                throw new NeutronException(NeutronErrorType.SecurityGroupInUse, "Security Group " + id + " in use.");
            }
            boolean isDefault = SecurityGroupStore.isDefault(h, id);
            if (name != null && isDefault) {
                throw new NeutronException(NeutronErrorType.SecurityGroupCannotUpdateDefault,
                        "Updating default security group not allowed.");
            }
            if ("default".equals(name)) {
                throw new NeutronException(NeutronErrorType.SecurityGroupDefaultAlreadyExists,
                        "Default security group already exists.");
            }
            SecurityGroupRow updated = new SecurityGroupRow(g.id(), g.projectId(), name != null ? name : g.name(),
                    description != null ? description : g.description(), stateful != null ? stateful : g.stateful(),
                    g.attrId(), g.revisionNumber() + 1, g.createdAt(), tx.now());
            SecurityGroupStore.updateGroup(h, updated);
            return render(h, ctx, List.of(updated), List.of()).get(0);
        });
        return ApiResponse.ok(wrap("security_group", o));
    }

    public ApiResponse delete(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            Handle h = tx.handle();
            SecurityGroupRow g = ctx.canRead() ? owned(h, ctx, id) : null;
            if (g == null) {
                throw Errors.securityGroupNotFound(id);
            }
            Guards.canWrite(ctx, "delete_security_group");
            Guards.ifMatch(req, g.revisionNumber());
            if (!SecurityGroupStore.portsUsing(h, id).isEmpty()) {
                throw new NeutronException(NeutronErrorType.SecurityGroupInUse, "Security Group " + id + " in use.");
            }
            if (SecurityGroupStore.isDefault(h, id) && !ctx.isAdmin()) {
                throw new NeutronException(NeutronErrorType.SecurityGroupCannotRemoveDefault,
                        "Insufficient rights for removing default security group.");
            }
            // groups whose rules name this one as remote group change too
            List<String> referencing = h.createQuery("SELECT DISTINCT security_group_id FROM security_group_rules "
                            + "WHERE remote_group_id = :g AND security_group_id <> :g").bind("g", id)
                    .mapTo(String.class).list();
            SecurityGroupStore.deleteGroup(h, id);
            referencing.forEach(other -> SecurityGroupStore.touchGroup(tx, other));
            return null;
        });
        return ApiResponse.noContent();
    }

    static ObjectNode wrap(String key, JsonNode value) {
        ObjectNode o = Json.object();
        o.set(key, value);
        return o;
    }
}
