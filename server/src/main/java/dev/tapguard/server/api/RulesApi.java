package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.RuleKey;
import dev.tapguard.model.RuleRequest;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRuleValidator;
import dev.tapguard.model.lint.LintFinding;
import dev.tapguard.model.lint.SecurityGroupLinter;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.QuotaStore;
import dev.tapguard.server.store.RuleRow;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v2.0/security-group-rules}: the model's {@link SecurityGroupRuleValidator} canonicalises and checks each
 * rule, the store checks the groups and Neutron's duplicate key ({@link RuleKey}); bulk creates are all or nothing.
 * A created rule that the model's lint finds suspicious (protocol 94, SSH open to the world, shadowed, ...) is
 * logged, never refused: the API answers exactly as Neutron's.
 */
public final class RulesApi {
    /** Lint findings about created rules: WARN for warnings, INFO for the rest. */
    private static final Logger LINT = LoggerFactory.getLogger("dev.tapguard.server.lint");
    public static final ResourceSpec SPEC = ResourceSpec.of("security_group_rule", "security_group_rules", List.of(
            Attr.ro("id", true, true, Attr.Type.STRING),
            Attr.createOnly("security_group_id", true, true, true, Attr.Type.STRING),
            Attr.createOnly("remote_group_id", false, true, true, Attr.Type.STRING),
            Attr.createOnly("direction", true, true, true, Attr.Type.STRING),
            Attr.createOnly("protocol", false, true, true, Attr.Type.STRING),
            Attr.createOnly("port_range_min", false, true, true, Attr.Type.PORT),
            Attr.createOnly("port_range_max", false, true, true, Attr.Type.PORT),
            Attr.createOnly("ethertype", false, true, true, Attr.Type.ETHERTYPE),
            Attr.createOnly("remote_ip_prefix", false, true, true, Attr.Type.STRING),
            Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING),
            Attr.createOnly("remote_address_group_id", false, true, true, Attr.Type.STRING),
            Attr.ro("normalized_cidr", true, false, Attr.Type.STRING),
            Attr.rw("description", true, false, Attr.Type.STRING),
            Attr.ro("revision_number", true, false, Attr.Type.STRING),
            Attr.ro("created_at", false, false, Attr.Type.STRING),
            Attr.ro("updated_at", false, false, Attr.Type.STRING),
            Attr.createOnly("project_id", false, true, true, Attr.Type.STRING)));

    private final Database db;
    private final SecurityGroupsApi groups;

    public RulesApi(Database db, SecurityGroupsApi groups) {
        this.db = db;
        this.groups = groups;
    }

    static boolean canSee(Handle h, RequestContext ctx, RuleRow r) {
        if (ctx.seesAll() || r.rule().projectId().equals(ctx.projectId())) {
            return true;
        }
        return SecurityGroupStore.group(h, r.groupId()).map(g -> g.projectId().equals(ctx.projectId()))
                .orElse(false);
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters filters = Listing.filters(req, SPEC);
        if (ctx.projectId() != null) {
            groups.ensureDefault(filters.project() != null ? filters.project() : ctx.projectId());
        }
        if (!ctx.canRead()) {
            return ApiResponse.ok(Listing.respond(req, SPEC, List.of(), filters));
        }
        List<ObjectNode> items = db.read(h -> {
            List<RuleRow> rows = SecurityGroupStore.rules(h, ctx.seesAll() ? null : ctx.projectId(),
                    filters.get("security_group_id"));
            List<ObjectNode> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(Views.rule(r, false)));
            return out;
        });
        return ApiResponse.ok(Listing.respond(req, SPEC, items, filters));
    }

    public ApiResponse show(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode o = db.read(h -> {
            RuleRow r = SecurityGroupStore.rule(h, id).orElseThrow(() -> Errors.ruleNotFound(id));
            if (!ctx.canRead() || !canSee(h, ctx, r)) {
                throw Errors.notFound();
            }
            return Views.rule(r, false);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("security_group_rule", Listing.select(o, Listing.fields(req))));
    }

    public ApiResponse create(ApiRequest req) {
        RequestContext ctx = req.ctx();
        JsonNode body = req.json();
        List<ObjectNode> items = Bodies.forCreate(body, SPEC, ctx, true);
        boolean bulk = Bodies.isBulk(body, SPEC);
        List<RuleRequest> requests = new ArrayList<>();
        for (ObjectNode d : items) {
            String description = Values.string(d, "description", 255, "");
            requests.add(new RuleRequest(null, text(d.get("security_group_id")), d.get("project_id").asText(),
                    Py.value(d.get("direction")), Py.value(d.get("ethertype")), d.has("ethertype"),
                    Py.value(d.get("protocol")), Py.value(d.get("port_range_min")),
                    Py.value(d.get("port_range_max")), Py.value(d.get("remote_ip_prefix")),
                    text(d.get("remote_group_id")), text(d.get("remote_address_group_id")), description));
        }
        // the attribute converters run before anything else (Neutron's prepare_request_body)
        for (RuleRequest r : requests) {
            SecurityGroupRuleValidator.canonicalize(r);
        }
        Guards.canWrite(ctx, "create_security_group_rule");
        Created created = db.write(tx -> {
            Handle h = tx.handle();
            String project = requests.get(0).projectId();
            long limit = QuotaStore.limit(h, project, "security_group_rule");
            if (limit >= 0 && SecurityGroupStore.countRules(h, project) + requests.size() > limit) {
                throw Errors.overQuota("security_group_rule");
            }
            if (bulk) {
                Set<String> sgs = new HashSet<>();
                Set<String> tenants = new HashSet<>();
                for (RuleRequest r : requests) {
                    sgs.add(String.valueOf(r.securityGroupId()));
                    if (sgs.size() > 1) {
                        throw new NeutronException(NeutronErrorType.SecurityGroupNotSingleGroupRules,
                                "Only allowed to update rules for one security profile at a time");
                    }
                    tenants.add(r.projectId());
                    if (tenants.size() > 1) {
                        throw new NeutronException(NeutronErrorType.SecurityGroupRulesNotSingleTenant,
                                "Multiple tenant_ids in bulk security group rule create not allowed");
                    }
                }
            }
            List<SecurityGroupRule> rules = new ArrayList<>();
            for (RuleRequest r : requests) {
                rules.add(validate(h, ctx, r));
            }
            Set<RuleKey> keys = new LinkedHashSet<>();
            for (SecurityGroupRule r : rules) {
                if (!keys.add(RuleKey.of(r))) {
                    throw new NeutronException(NeutronErrorType.DuplicateSecurityGroupRuleInPost,
                            "Duplicate Security Group Rule in POST.");
                }
            }
            for (RuleKey k : keys) {
                Optional<String> existing = SecurityGroupStore.ruleIdByKey(h, k);
                if (existing.isPresent()) {
                    throw new NeutronException(NeutronErrorType.SecurityGroupRuleExists,
                            "Security group rule already exists. Rule id is " + existing.get() + ".");
                }
            }
            List<ObjectNode> out = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            Set<String> touched = new LinkedHashSet<>();
            for (SecurityGroupRule r : rules) {
                RuleRow row = new RuleRow(r.withId(UUID.randomUUID().toString()), tx.nextAttrId(), 0, tx.now(),
                        tx.now());
                SecurityGroupStore.insertRule(h, row);
                touched.add(r.securityGroupId());
                ids.add(row.id());
                out.add(Views.rule(row, false));
            }
            touched.forEach(g -> SecurityGroupStore.touchGroup(tx, g));
            return new Created(out, ids, groupsToLint(h, touched, rules));
        });
        logLint(req.requestId(), created);
        if (bulk) {
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray("security_group_rules");
            created.views().forEach(arr::add);
            return ApiResponse.created(out);
        }
        return ApiResponse.created(SecurityGroupsApi.wrap("security_group_rule", created.views().get(0)));
    }

    /** What a create wrote: the answer's rule objects, the new rule ids, their groups with the rules to lint. */
    private record Created(List<ObjectNode> views, List<String> ruleIds, List<SecurityGroup> groups) {
    }

    /**
     * The groups as committed, with the rules the lint needs: for a single rule only those it can interact with
     * (same direction and ethertype, overlapping ports: a create in a large group reads a few rows), for a bulk
     * create all of them. Only the groups' ids matter to the findings about rules.
     */
    private static List<SecurityGroup> groupsToLint(Handle h, Set<String> groupIds, List<SecurityGroupRule> created) {
        Map<String, List<RuleRow>> rules;
        if (created.size() == 1) {
            SecurityGroupRule r = created.get(0);
            rules = Map.of(r.securityGroupId(), SecurityGroupStore.rulesNear(h, r.securityGroupId(),
                    r.direction().wire(), r.ethertype().name(), SecurityGroupLinter.portRange(r)));
        } else {
            rules = SecurityGroupStore.rulesOf(h, groupIds);
        }
        List<SecurityGroup> out = new ArrayList<>();
        rules.forEach((g, rows) -> out.add(new SecurityGroup(g, null, null, null, true,
                rows.stream().map(RuleRow::rule).toList())));
        return out;
    }

    /**
     * Logs the lint's findings about each created rule (after the commit: only rules that exist are reported), each
     * once: a finding names the rule it is about (for a shadowed older rule, the message names the new one). The
     * lint is advice: a fault in it is logged and never fails a create that has already succeeded.
     */
    private static void logLint(String requestId, Created created) {
        try {
            for (SecurityGroup g : created.groups()) {
                Set<LintFinding> findings = new LinkedHashSet<>();
                for (String id : created.ruleIds()) {
                    findings.addAll(SecurityGroupLinter.lintRule(g, id));
                }
                for (LintFinding f : findings) {
                    String format = "{} security group {} rule {}: {} {}";
                    if (f.severity() == LintFinding.Severity.WARNING) {
                        LINT.warn(format, requestId, g.id(), f.securityGroupRuleId(), f.code(), f.message());
                    } else {
                        LINT.info(format, requestId, g.id(), f.securityGroupRuleId(), f.code(), f.message());
                    }
                }
            }
        } catch (RuntimeException e) {
            LINT.error("{} lint of created rules {} failed", requestId, created.ruleIds(), e);
        }
    }

    /** Neutron's {@code _validate_security_group_rule}: the model's checks, then the groups it names must exist. */
    private static SecurityGroupRule validate(Handle h, RequestContext ctx, RuleRequest req) {
        SecurityGroupRule rule = SecurityGroupRuleValidator.canonicalize(req);
        String remote = rule.remoteGroupId();
        if (remote != null) {
            Optional<SecurityGroupRow> g = SecurityGroupStore.group(h, remote);
            if (g.isEmpty() || !SecurityGroupsApi.canSee(h, ctx, g.get())) {
                throw Errors.securityGroupNotFound(remote);
            }
        }
        if (rule.remoteAddressGroupId() != null) {
            throw new NeutronException(NeutronErrorType.AddressGroupNotFound,
                    "Address group " + rule.remoteAddressGroupId() + " could not be found.");
        }
        String sg = rule.securityGroupId();
        Optional<SecurityGroupRow> g = SecurityGroupStore.group(h, sg);
        if (g.isEmpty() || !ctx.owns(g.get().projectId())) {
            throw Errors.securityGroupNotFound(sg);
        }
        return rule;
    }

    public ApiResponse update(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), SPEC, ctx);
        String description = d.has("description") ? Values.string(d, "description", 255, "") : null;
        ObjectNode o = db.write(tx -> {
            Handle h = tx.handle();
            RuleRow r = SecurityGroupStore.rule(h, id).orElseThrow(() -> Errors.ruleNotFound(id));
            if (!ctx.canRead() || !canSee(h, ctx, r)) {
                throw Errors.notFound();
            }
            Guards.canWrite(ctx, "update_security_group_rule");
            Guards.ifMatch(req, r.revisionNumber());
            if (description == null) {
                return Views.rule(r, false);
            }
            SecurityGroupRule nr = new SecurityGroupRule(r.rule().id(), r.rule().securityGroupId(),
                    r.rule().projectId(), r.rule().direction(), r.rule().ethertype(), r.rule().protocol(),
                    r.rule().portRangeMin(), r.rule().portRangeMax(), r.rule().remote(), description);
            RuleRow updated = new RuleRow(nr, r.attrId(), r.revisionNumber() + 1, r.createdAt(), tx.now());
            h.createUpdate("UPDATE security_group_rules SET description = :d, revision_number = :rev, "
                            + "updated_at = :now WHERE id = :id").bind("d", description)
                    .bind("rev", updated.revisionNumber()).bind("now", tx.now()).bind("id", id).execute();
            return Views.rule(updated, false);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("security_group_rule", o));
    }

    public ApiResponse delete(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            Handle h = tx.handle();
            RuleRow r = SecurityGroupStore.rule(h, id).orElseThrow(() -> Errors.ruleNotFound(id));
            if (!ctx.canRead() || !canSee(h, ctx, r)) {
                throw Errors.ruleNotFound(id);
            }
            Guards.canWrite(ctx, "delete_security_group_rule");
            Guards.ifMatch(req, r.revisionNumber());
            SecurityGroupStore.deleteRule(h, id);
            SecurityGroupStore.touchGroup(tx, r.groupId());
            return null;
        });
        return ApiResponse.noContent();
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isTextual() ? n.asText() : Py.str(n);
    }
}
