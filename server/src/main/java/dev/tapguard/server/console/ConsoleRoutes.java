package dev.tapguard.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.console.ConsoleAssets;
import dev.tapguard.model.Direction;
import dev.tapguard.model.HostView;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.RuleRequest;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.SecurityGroupRuleValidator;
import dev.tapguard.model.lint.LintFinding;
import dev.tapguard.model.lint.SecurityGroupLinter;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.api.ApiRequest;
import dev.tapguard.server.api.ApiResponse;
import dev.tapguard.server.api.PortsApi;
import dev.tapguard.server.api.Py;
import dev.tapguard.server.api.SecurityGroupsApi;
import dev.tapguard.server.feed.HostViewStore;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.NetworkStore;
import dev.tapguard.server.store.PortRow;
import dev.tapguard.server.store.RuleRow;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import dev.tapguard.trace.Probe;
import dev.tapguard.trace.Tracer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console inside {@code tapguard server}: its static files under {@code /console/}, its settings and
 * Keystone sign-in under {@code /console/api/}, and the three API calls its pages need beyond Neutron's:
 * <ul>
 *   <li>{@code GET /v2.0/tapguard/ports/{id}/effective-rules}: the port's chains as its host renders them, each rule
 *   with the security-group rule behind it;</li>
 *   <li>{@code POST /v2.0/tapguard/ports/{id}/trace}: a packet's walk through them ({@code tapguard trace});</li>
 *   <li>{@code POST /v2.0/tapguard/lint}: the lint's findings for a rule before it is created.</li>
 * </ul>
 * The API calls go through the server's own authentication and see only what the caller may see.
 */
public final class ConsoleRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    /** The rule id the lint gives a rule not created yet. */
    static final String CANDIDATE = "new-rule";
    private static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final ServerConfig config;
    private final Database db;
    private final PortsApi ports;
    private final SecurityGroupsApi groups;
    private final KeystonePasswordClient keystone;
    private final RenderOptions renderOptions = RenderOptions.DEFAULTS;

    public ConsoleRoutes(ServerConfig config, Database db, PortsApi ports, SecurityGroupsApi groups) {
        this.config = config;
        this.db = db;
        this.ports = ports;
        this.groups = groups;
        this.keystone = config.auth() == ServerConfig.AuthMode.KEYSTONE
                ? new KeystonePasswordClient(config.keystoneUrl()) : null;
    }

    /** Registers the console's own routes; call before the server's catch-all route so these match first. */
    public void register(Javalin app) {
        app.get("/console", this::index);
        app.get("/console/api/config", this::settings);
        app.post("/console/api/tokens", this::signIn);
        app.get("/console/<path>", c -> asset(c, c.pathParam("path")));
    }

    // ------------------------------------------------------------------ static files and sign-in

    private void index(Context c) {
        if (!c.path().endsWith("/")) {
            // relative links in the page resolve against /console/, not /
            c.redirect(ConsoleAssets.MOUNT);
            return;
        }
        asset(c, "");
    }

    private static void asset(Context c, String path) {
        Optional<ConsoleAssets.Asset> found = ConsoleAssets.find(path);
        if (found.isEmpty()) {
            c.status(404).contentType("text/plain; charset=utf-8").result("Not found\n");
            return;
        }
        ConsoleAssets.Asset a = found.get();
        c.header("ETag", a.etag());
        c.header("Cache-Control", "no-cache");
        c.header("X-Content-Type-Options", "nosniff");
        c.header("Referrer-Policy", "no-referrer");
        c.header("Content-Security-Policy", CSP);
        if (a.etag().equals(c.header("If-None-Match"))) {
            c.status(304);
            return;
        }
        c.contentType(a.contentType()).result(a.bytes());
    }

    private void settings(Context c) {
        ObjectNode o = Json.object();
        o.put("auth", config.auth() == ServerConfig.AuthMode.KEYSTONE ? "keystone" : "noauth");
        c.header("Cache-Control", "no-store");
        c.contentType("application/json").result(Json.bytes(o));
    }

    private void signIn(Context c) {
        c.header("Cache-Control", "no-store");
        if (keystone == null) {
            error(c, 400, "Bad Request", "This server runs without Keystone (noauth): sign in with a project id.");
            return;
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(c.bodyAsBytes());
        } catch (IOException | RuntimeException e) {
            error(c, 400, "Bad Request", "Malformed request body: Cannot understand JSON.");
            return;
        }
        String user = text(body, "username");
        String password = text(body, "password");
        String project = text(body, "project");
        String domain = text(body, "domain");
        if (user == null || password == null || project == null) {
            error(c, 400, "Bad Request", "Give a user name, a password and a project.");
            return;
        }
        KeystonePasswordClient.Result r;
        try {
            r = keystone.issue(user, password, project, domain == null ? "Default" : domain);
        } catch (IOException e) {
            LOG.warn("console sign-in: Keystone unreachable: {}", e.toString());
            error(c, 503, "Service Unavailable", "Keystone did not answer; try again later.");
            return;
        }
        if (!r.ok()) {
            // Keystone's own words (e.g. "The request you have made requires authentication.")
            JsonNode err = r.error() != null && r.error().has("error") ? r.error()
                    : Json.object().set("error", Json.object().put("code", r.status()).put("title", "Unauthorized")
                    .put("message", "Keystone refused the sign-in (HTTP " + r.status() + ")."));
            c.status(r.status() / 100 == 2 ? 502 : r.status()).contentType("application/json").result(Json.bytes(err));
            return;
        }
        ObjectNode o = Json.object();
        o.put("token", r.token());
        o.put("project_id", r.projectId());
        o.put("project_name", r.projectName());
        o.put("user_id", r.userId());
        o.put("user_name", r.userName());
        o.set("roles", Json.strings(r.roles()));
        o.put("expires_at", r.expiresAt());
        c.status(201).contentType("application/json").result(Json.bytes(o));
    }

    private static void error(Context c, int status, String title, String message) {
        ObjectNode o = Json.object();
        o.putObject("error").put("code", status).put("title", title).put("message", message);
        c.status(status).contentType("application/json").result(Json.bytes(o));
    }

    private static String text(JsonNode body, String key) {
        JsonNode n = body == null ? null : body.get(key);
        return n == null || !n.isTextual() || n.asText().isEmpty() ? null : n.asText();
    }

    // ------------------------------------------------------------------ /v2.0/tapguard/...

    /**
     * Answers {@code /v2.0/tapguard/...} calls that belong to the console ({@code seg} starts with "tapguard"), or
     * returns null for the server to go on.
     */
    public ApiResponse tapguard(String method, List<String> seg, ApiRequest req, String[] route) {
        if (seg.size() == 2 && seg.get(1).equals("lint")) {
            route[0] = "/v2.0/tapguard/lint";
            requirePost(method);
            return lint(req);
        }
        if (seg.size() == 4 && seg.get(1).equals("ports")) {
            String id = seg.get(2);
            if (seg.get(3).equals("effective-rules")) {
                route[0] = "/v2.0/tapguard/ports/{id}/effective-rules";
                if (!method.equals("GET")) {
                    throw Errors.methodNotAllowed();
                }
                return effectiveRules(req, id);
            }
            if (seg.get(3).equals("trace")) {
                route[0] = "/v2.0/tapguard/ports/{id}/trace";
                requirePost(method);
                return trace(req, id);
            }
        }
        return null;
    }

    private static void requirePost(String method) {
        if (!method.equals("POST")) {
            throw Errors.methodNotAllowed();
        }
    }

    /** The port (as the caller may see it) and its host's view, or a null view when it is bound nowhere. */
    private record Bound(PortRow port, HostView view, RenderResult render) {
    }

    private Bound bound(ApiRequest req, String id) {
        ports.show(req, id); // the caller must see the port: PortNotFound otherwise
        PortRow row = db.read(h -> NetworkStore.port(h, id)).orElseThrow(() -> Errors.portNotFound(id));
        String host = row.bindingHostId();
        if (host == null || host.isBlank()) {
            return new Bound(row, null, null);
        }
        HostView view = new HostViewStore(db).view(host);
        return new Bound(row, view, HybridIptablesRenderer.render(view, renderOptions));
    }

    private ApiResponse effectiveRules(ApiRequest req, String id) {
        Bound b = bound(req, id);
        ObjectNode doc;
        if (b.view() == null) {
            doc = Json.object();
            doc.put("port_id", id);
            doc.putNull("host");
            doc.put("revision", db.currentRevision());
            doc.putArray("chains");
            doc.putArray("deviations");
            doc.put("note", "The port is not bound to a host: no host renders rules for it.");
        } else {
            doc = EffectiveRulesView.of(b.view(), b.render(), renderOptions, id, req.ctx().isAdmin());
        }
        ObjectNode o = Json.object();
        o.set("effective_rules", doc);
        return ApiResponse.ok(o);
    }

    private ApiResponse trace(ApiRequest req, String id) {
        JsonNode body = req.json();
        JsonNode p = body == null ? null : body.get("packet");
        if (p == null || !p.isObject()) {
            throw Errors.badRequest("Bad packet request: expected {\"packet\": {...}}.");
        }
        Direction direction = Direction.parseOrNull(p.path("direction").asText(""));
        if (direction == null) {
            throw Errors.badRequest("Invalid input for direction. Reason: " + Py.repr(p.get("direction"))
                    + " is not in valid_values.");
        }
        String protocol = string(p, "protocol");
        Probe probe;
        try {
            CtState ct = p.hasNonNull("ct_state") ? CtState.parse(p.get("ct_state").asText()) : CtState.NEW;
            probe = Probe.builder().name("console").port(id, direction).protocol(protocol)
                    .src(string(p, "src_ip")).dst(string(p, "dst_ip"))
                    .sport(port(p, "src_port")).dport(port(p, "dst_port"))
                    .icmp(port(p, "icmp_type"), port(p, "icmp_code")).ct(ct).build();
        } catch (IllegalArgumentException e) {
            throw Errors.badRequest("Bad packet: " + e.getMessage());
        }
        Bound b = bound(req, id);
        if (b.view() == null) {
            throw Errors.badRequest("Port " + id + " is not bound to a host: no host filters its traffic to trace.");
        }
        try {
            Tracer tracer = Tracer.forRuleset(b.render().ruleset(), b.view());
            ObjectNode o = Json.object();
            o.set("trace", TraceView.of(tracer.trace(probe)));
            return ApiResponse.ok(o);
        } catch (IllegalArgumentException e) {
            throw Errors.badRequest("Bad packet: " + e.getMessage());
        }
    }

    private static String string(JsonNode p, String key) {
        JsonNode n = p.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        String s = n.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static Integer port(JsonNode p, String key) {
        JsonNode n = p.get(key);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            return null;
        }
        if (n.canConvertToInt() && n.isIntegralNumber()) {
            return n.intValue();
        }
        if (n.isTextual() && n.asText().strip().matches("\\d{1,5}")) {
            return Integer.parseInt(n.asText().strip());
        }
        throw Errors.badRequest("Bad packet: " + key + " must be a number, not " + Py.repr(n));
    }

    /**
     * The lint's findings for a rule not created yet, with the group's present rules (duplicates, shadowing). A rule
     * the API would refuse gets no findings but the API's error, so the form can say so before submitting.
     */
    private ApiResponse lint(ApiRequest req) {
        JsonNode body = req.json();
        JsonNode d = body == null ? null : body.get("security_group_rule");
        if (d == null || !d.isObject()) {
            throw Errors.badRequest("Bad lint request: expected {\"security_group_rule\": {...}}.");
        }
        String groupId = string(d, "security_group_id");
        ObjectNode out = Json.object();
        ArrayNode warnings = out.putArray("warnings");
        SecurityGroupRule rule;
        try {
            rule = SecurityGroupRuleValidator.canonicalize(new RuleRequest(CANDIDATE, groupId,
                    req.ctx().projectId(), Py.value(d.get("direction")), Py.value(d.get("ethertype")),
                    d.has("ethertype"), Py.value(d.get("protocol")), Py.value(d.get("port_range_min")),
                    Py.value(d.get("port_range_max")), Py.value(d.get("remote_ip_prefix")),
                    string(d, "remote_group_id"), string(d, "remote_address_group_id"), ""));
        } catch (NeutronException e) {
            out.putObject("invalid").put("type", e.type().name()).put("message", e.getMessage());
            return ApiResponse.ok(out);
        }
        SecurityGroup group;
        if (groupId == null) {
            group = new SecurityGroup("-", "-", "", req.ctx().projectId(), true, List.of(rule));
        } else {
            groups.show(req, groupId); // the caller must see the group: SecurityGroupNotFound otherwise
            group = db.read(h -> {
                SecurityGroupRow g = SecurityGroupStore.group(h, groupId)
                        .orElseThrow(() -> Errors.securityGroupNotFound(groupId));
                List<SecurityGroupRule> rules = new ArrayList<>();
                SecurityGroupStore.rulesOf(h, List.of(groupId)).getOrDefault(groupId, List.of()).stream()
                        .map(RuleRow::rule).forEach(rules::add);
                rules.add(rule);
                return new SecurityGroup(g.id(), g.name(), g.description(), g.projectId(), g.stateful(), rules);
            });
        }
        for (LintFinding f : SecurityGroupLinter.lintRule(group, CANDIDATE)) {
            ObjectNode w = warnings.addObject();
            w.put("code", f.code().name());
            w.put("severity", f.severity().name().toLowerCase(Locale.ROOT));
            w.put("message", f.message());
        }
        return ApiResponse.ok(out);
    }
}
