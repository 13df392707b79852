package dev.tapguard.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.api.ApiRequest;
import dev.tapguard.server.api.ApiResponse;
import dev.tapguard.server.api.ExtensionsApi;
import dev.tapguard.server.api.NetworksApi;
import dev.tapguard.server.api.PortsApi;
import dev.tapguard.server.api.QuotasApi;
import dev.tapguard.server.api.RbacApi;
import dev.tapguard.server.api.RulesApi;
import dev.tapguard.server.api.SecurityGroupsApi;
import dev.tapguard.server.auth.Authenticator;
import dev.tapguard.server.auth.IdentityUnavailable;
import dev.tapguard.server.auth.KeystoneAuthenticator;
import dev.tapguard.server.auth.NoAuthAuthenticator;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.auth.Unauthorized;
import dev.tapguard.server.console.ConsoleRoutes;
import dev.tapguard.server.feed.FeedApi;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.http.ListCache;
import dev.tapguard.server.http.ServerMetrics;
import dev.tapguard.server.store.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tapguard server: Neutron's v2.0 API over the store, the agents' change feed, /healthz and /metrics. Every
 * response carries X-Openstack-Request-Id; every request is logged with it.
 */
public final class TapguardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TapguardServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.tapguard.server.access");
    /** Larger bodies are refused before they are parsed. */
    static final int MAX_BODY = 1 << 20;

    private final ServerConfig config;
    private final Database db;
    private final Authenticator auth;
    private final ServerMetrics metrics;
    private final SecurityGroupsApi groups;
    private final RulesApi rules;
    private final NetworksApi networks;
    private final PortsApi ports;
    private final QuotasApi quotas;
    private final RbacApi rbac;
    private final FeedApi feed;
    private final ConsoleRoutes console;
    private final ExecutorService feedExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tapguard-feed");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tapguard-revision-poller");
        t.setDaemon(true);
        return t;
    });
    private final Javalin app;
    private final ListCache lists = "off".equalsIgnoreCase(System.getenv("TAPGUARD_LIST_CACHE")) ? null
            : new ListCache(256);

    private TapguardServer(ServerConfig config) {
        this.config = config;
        this.db = new Database(config.dbUrl(), config.dbUser(), config.dbPassword());
        try {
            this.auth = config.auth() == ServerConfig.AuthMode.KEYSTONE
                    ? new KeystoneAuthenticator(config.keystoneUrl(), config.tokenCacheTtl(), Clock.systemUTC())
                    : new NoAuthAuthenticator();
            this.metrics = new ServerMetrics(db);
            this.groups = new SecurityGroupsApi(db);
            this.rules = new RulesApi(db, groups);
            this.networks = new NetworksApi(db);
            this.ports = new PortsApi(db, groups);
            this.quotas = new QuotasApi(db);
            this.rbac = new RbacApi(db);
            this.feed = new FeedApi(db, feedExecutor);
            this.console = new ConsoleRoutes(config, db, ports, groups);
            this.app = Javalin.create(c -> {
                c.showJavalinBanner = false;
                c.http.maxRequestSize = MAX_BODY;
                c.http.asyncTimeout = 0L;
                // whole answers in one buffer: a list goes out in one write with its Content-Length; no gzip
                // (Neutron sends none, and on the loopback or a LAN it costs more CPU than it saves)
                c.http.responseBufferSize = 1 << 20;
                c.http.disableCompression();
                c.jetty.modifyHttpConfiguration(hc -> {
                    hc.setOutputBufferSize(1 << 20);
                    hc.setSendServerVersion(false);
                });
                c.router.ignoreTrailingSlashes = true;
                c.jetty.defaultHost = config.host();
            });
            console.register(app); // before the catch-all below, so /console/ matches first
            for (HandlerType t : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.DELETE,
                    HandlerType.PATCH)) {
                app.addHttpHandler(t, "/", this::handle);
                app.addHttpHandler(t, "/<path>", this::handle);
            }
            // writes by other servers sharing a PostgreSQL store wake this server's long polls too
            poller.scheduleWithFixedDelay(this::pollRevision, 1, 1, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Opens the store (migrating it) and starts listening. */
    public static TapguardServer start(ServerConfig config) {
        TapguardServer s = new TapguardServer(config);
        try {
            s.app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        LOG.info("tapguard server listening on http://{}:{} (store {}, auth {})", config.host(), s.port(),
                redact(config.dbUrl()), config.auth().name().toLowerCase(java.util.Locale.ROOT));
        return s;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        return "http://" + config.host() + ":" + port();
    }

    public Database database() {
        return db;
    }

    private void pollRevision() {
        try {
            if (db.watch().waiting() > 0) {
                db.watch().advance(db.currentRevision());
            }
        } catch (RuntimeException e) {
            LOG.debug("revision poll failed: {}", e.toString());
        }
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    // ------------------------------------------------------------------ request handling

    private void handle(Context c) {
        long started = System.nanoTime();
        String requestId = "req-" + UUID.randomUUID();
        c.header("X-Openstack-Request-Id", requestId);
        String method = c.method().name();
        String path = c.path();
        String[] route = {"unmatched"};
        RequestContext[] who = {null};
        try {
            CompletableFuture<ApiResponse> pending = dispatch(c, requestId, method, path, route, who);
            if (pending.isDone()) {
                write(c, pending.join());
                finish(c, requestId, method, path, route[0], who[0], started);
            } else {
                c.future(() -> pending.handle((resp, err) -> {
                    if (err != null) {
                        fail(c, err instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                                ? ce.getCause() : err);
                    } else {
                        write(c, resp);
                    }
                    finish(c, requestId, method, path, route[0], who[0], started);
                    return null;
                }));
            }
        } catch (RuntimeException e) {
            fail(c, e);
            finish(c, requestId, method, path, route[0], who[0], started);
        }
    }

    private void finish(Context c, String requestId, String method, String path, String route, RequestContext who,
                        long started) {
        double seconds = (System.nanoTime() - started) / 1e9;
        int status = c.statusCode();
        metrics.observe(method, route, status, seconds);
        String query = c.queryString();
        ACCESS.info("{} {} {}{} status={} time={}ms project={} user={}", requestId, method, path,
                query == null ? "" : "?" + query, status, String.format("%.1f", seconds * 1000),
                who == null ? "-" : who.projectId(), who == null ? "-" : who.userId());
    }

    private void fail(Context c, Throwable e) {
        if (e instanceof NeutronException ne) {
            error(c, ne.status(), ne.type().name(), ne.getMessage());
        } else if (e instanceof Unauthorized) {
            ObjectNode o = Json.object();
            o.putObject("error").put("code", 401).put("title", "Unauthorized")
                    .put("message", "The request you have made requires authentication.");
            c.status(401).header("WWW-Authenticate", "Keystone uri='" + config.keystoneUrl() + "'")
                    .contentType("application/json").result(Json.bytes(o));
        } else if (e instanceof IdentityUnavailable u) {
            LOG.warn("identity service unavailable: {}", u.getMessage());
            error(c, 503, NeutronErrorType.HTTPServiceUnavailable.name(),
                    "The server is currently unavailable. Please try again at a later time.");
        } else {
            LOG.error("request failed: {} {}", c.method(), c.path(), e);
            error(c, 500, NeutronErrorType.HTTPInternalServerError.name(),
                    "Request Failed: internal server error while processing your request.");
        }
    }

    private static void error(Context c, int status, String type, String message) {
        ObjectNode o = Json.object();
        o.putObject("NeutronError").put("type", type).put("message", message).put("detail", "");
        c.status(status).contentType("application/json").result(Json.bytes(o));
    }

    private static void write(Context c, ApiResponse r) {
        c.status(r.status());
        r.headers().forEach(c::header);
        if (r.text() != null) {
            c.result(r.text());
        } else if (r.body() != null) {
            c.contentType("application/json").result(Json.bytes(r.body()));
        } else {
            c.result("");
        }
    }

    private CompletableFuture<ApiResponse> dispatch(Context c, String requestId, String method, String rawPath,
                                                    String[] route, RequestContext[] who) {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1)
                : rawPath;
        String root = rootUrl(c);
        if (path.equals("/") || path.isEmpty()) {
            route[0] = "/";
            requireMethod(method, "GET");
            return done(ExtensionsApi.versions(root));
        }
        if (path.equals("/healthz")) {
            route[0] = "/healthz";
            requireMethod(method, "GET");
            boolean ok = db.healthy();
            ObjectNode o = Json.object().put("status", ok ? "ok" : "unavailable").put("revision", db.watch().current());
            return done(new ApiResponse(ok ? 200 : 503, o, Map.of()));
        }
        if (path.equals("/metrics")) {
            route[0] = "/metrics";
            requireMethod(method, "GET");
            return done(ApiResponse.text(ServerMetrics.contentType(), metrics.scrape()));
        }
        if (!path.equals("/v2.0") && !path.startsWith("/v2.0/")) {
            throw Errors.notFound();
        }
        RequestContext ctx = auth.authenticate(c.header("X-Auth-Token"), c::header);
        who[0] = ctx;
        List<String> seg = new ArrayList<>(Arrays.asList(path.substring("/v2.0".length()).split("/")));
        seg.removeIf(String::isEmpty);
        for (int i = 0; i < seg.size(); i++) {
            seg.set(i, decode(seg.get(i)));
        }
        if (!seg.isEmpty() && seg.get(seg.size() - 1).endsWith(".json")) {
            String last = seg.get(seg.size() - 1);
            seg.set(seg.size() - 1, last.substring(0, last.length() - ".json".length()));
        }
        ApiRequest req = request(c, ctx, root, requestId);
        if (seg.isEmpty()) {
            route[0] = "/v2.0";
            requireMethod(method, "GET");
            return done(ExtensionsApi.resources(root));
        }
        String coll = seg.get(0);
        String id = seg.size() > 1 ? seg.get(1) : null;
        if (coll.equals("tapguard")) {
            if (seg.size() == 4 && seg.get(1).equals("hosts") && seg.get(3).equals("view")) {
                route[0] = "/v2.0/tapguard/hosts/{host}/view";
                requireMethod(method, "GET");
                return feed.view(req, seg.get(2));
            }
            ApiResponse consoleAnswer = console.tapguard(method, seg, req, route);
            if (consoleAnswer != null) {
                return done(consoleAnswer);
            }
            throw Errors.notFound();
        }
        if (coll.equals("extensions")) {
            route[0] = id == null ? "/v2.0/extensions" : "/v2.0/extensions/{alias}";
            requireMethod(method, "GET");
            if (seg.size() > 2) {
                throw Errors.notFound();
            }
            return done(id == null ? ExtensionsApi.list() : ExtensionsApi.show(id));
        }
        if (coll.equals("quotas")) {
            return done(quotas(method, seg, req, route));
        }
        if (seg.size() > 2) {
            throw Errors.notFound();
        }
        Resource r = switch (coll) {
            case "security-groups" -> new Resource(groups::list, groups::show, groups::create, groups::update,
                    groups::delete, Errors::securityGroupNotFound);
            case "security-group-rules" -> new Resource(rules::list, rules::show, rules::create, rules::update,
                    rules::delete, Errors::ruleNotFound);
            case "networks" -> new Resource(networks::list, networks::show, networks::create, networks::update,
                    networks::delete, Errors::networkNotFound);
            case "subnets" -> new Resource(networks::listSubnets, networks::showSubnet, networks::createSubnet,
                    networks::updateSubnet, networks::deleteSubnet, Errors::subnetNotFound);
            case "ports" -> new Resource(ports::list, ports::show, ports::create, ports::update, ports::delete,
                    Errors::portNotFound);
            case "rbac-policies" -> new Resource(rbac::list, rbac::show, rbac::create, rbac::update, rbac::delete,
                    x -> new NeutronException(NeutronErrorType.RbacPolicyNotFound,
                            "RBAC policy of type security_group with ID " + x + " not found"));
            default -> throw Errors.notFound();
        };
        route[0] = "/v2.0/" + coll + (id == null ? "" : "/{id}");
        if (id == null) {
            return done(switch (method) {
                case "GET" -> lists == null ? r.list().apply(req)
                        : lists.get(coll + "|" + ctx.projectId() + "|" + new java.util.TreeSet<>(ctx.roles()) + "|"
                                + root + "|" + req.rawQuery(), db::currentRevision, () -> r.list().apply(req));
                case "POST" -> r.create().apply(req);
                // Neutron routes PUT/DELETE on a collection to the member "None"
                case "PUT", "DELETE" -> throw r.notFound().apply("None");
                default -> throw Errors.methodNotAllowed();
            });
        }
        return done(switch (method) {
            case "GET" -> r.show().apply(req, id);
            case "PUT" -> r.update().apply(req, id);
            case "DELETE" -> r.delete().apply(req, id);
            default -> throw Errors.methodNotAllowed();
        });
    }

    private ApiResponse quotas(String method, List<String> seg, ApiRequest req, String[] route) {
        if (seg.size() == 1) {
            route[0] = "/v2.0/quotas";
            requireMethod(method, "GET");
            return quotas.list(req);
        }
        String project = seg.get(1);
        if (seg.size() == 3 && seg.get(2).equals("default")) {
            route[0] = "/v2.0/quotas/{project}/default";
            requireMethod(method, "GET");
            return quotas.defaults(req, project);
        }
        if (seg.size() > 2) {
            throw Errors.notFound();
        }
        route[0] = "/v2.0/quotas/{project}";
        return switch (method) {
            case "GET" -> quotas.show(req, project);
            case "PUT" -> quotas.update(req, project);
            case "DELETE" -> quotas.delete(req, project);
            default -> throw Errors.methodNotAllowed();
        };
    }

    private record Resource(java.util.function.Function<ApiRequest, ApiResponse> list,
                            java.util.function.BiFunction<ApiRequest, String, ApiResponse> show,
                            java.util.function.Function<ApiRequest, ApiResponse> create,
                            java.util.function.BiFunction<ApiRequest, String, ApiResponse> update,
                            java.util.function.BiFunction<ApiRequest, String, ApiResponse> delete,
                            java.util.function.Function<String, NeutronException> notFound) {
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw Errors.methodNotAllowed();
        }
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String rootUrl(Context c) {
        String proto = c.header("X-Forwarded-Proto");
        String scheme = proto != null && !proto.isBlank() ? proto : c.scheme();
        String host = c.header("Host");
        if (host == null || host.isBlank()) {
            host = c.host();
        }
        return scheme + "://" + host;
    }

    /** Percent-decoding; a broken escape is the client's mistake (400), not ours. */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Errors.badRequest("Malformed URL: " + e.getMessage());
        }
    }

    private static ApiRequest request(Context c, RequestContext ctx, String root, String requestId) {
        String q = c.queryString();
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (q != null && !q.isEmpty()) {
            for (String part : q.split("&")) {
                if (part.isEmpty()) {
                    continue;
                }
                String[] kv = part.split("=", 2);
                params.add(Map.entry(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : ""));
            }
        }
        byte[] body = null;
        String method = c.method().name();
        if (method.equals("POST") || method.equals("PUT")) {
            long declared = c.contentLength();
            if (declared > MAX_BODY) {
                throw new NeutronException(NeutronErrorType.HTTPRequestEntityTooLarge, "Request is too large.");
            }
            try {
                body = c.bodyAsBytes();
            } catch (RuntimeException e) {
                throw new NeutronException(NeutronErrorType.HTTPRequestEntityTooLarge, "Request is too large.");
            }
            if (body.length > MAX_BODY) {
                throw new NeutronException(NeutronErrorType.HTTPRequestEntityTooLarge, "Request is too large.");
            }
        }
        return new ApiRequest(ctx, List.copyOf(params), body, root + c.path(), root, q, c.header("If-Match"),
                requestId);
    }

    @Override
    public void close() {
        try {
            if (app != null) {
                app.stop();
            }
        } finally {
            poller.shutdownNow();
            feedExecutor.shutdownNow();
            db.close();
        }
    }
}
