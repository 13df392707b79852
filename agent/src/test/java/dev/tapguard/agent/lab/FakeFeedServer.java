package dev.tapguard.agent.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapguard.model.HostView;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Test double of the server's change feed (briefs/FEED.md) on 127.0.0.1: full view on a missing or stale
 * {@code since}, long-poll on the current revision, 304 on timeout. Used to exercise the agent alone; the
 * end-to-end tests run the real server.
 */
public final class FakeFeedServer implements AutoCloseable {
    private final HttpServer http;
    private final Map<String, HostView> views = new HashMap<>();
    private long revision = 1;
    private volatile boolean down;

    public FakeFeedServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-feed");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/v2.0/tapguard/hosts/", this::handle);
        http.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** Publishes a new view for its host (bumps the global revision, wakes long-polls). */
    public synchronized void publish(HostView v) {
        revision++;
        views.put(v.host(), new HostView(v.host(), revision, v.ports(), v.securityGroups(), v.members(),
                v.networks()));
        notifyAll();
    }

    /** While down, every request gets a 503 (the agent must keep its rules). */
    public void down(boolean d) {
        down = d;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (down) {
                send(ex, 503, "{\"NeutronError\": {\"type\": \"ServiceUnavailable\"}}");
                return;
            }
            String path = ex.getRequestURI().getPath();
            String host = path.substring("/v2.0/tapguard/hosts/".length(), path.length() - "/view".length());
            Map<String, String> q = new HashMap<>();
            String query = ex.getRequestURI().getQuery();
            if (query != null) {
                for (String kv : query.split("&")) {
                    int eq = kv.indexOf('=');
                    q.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            HostView v;
            long rev;
            synchronized (this) {
                long since = q.containsKey("since") ? Long.parseLong(q.get("since")) : -1;
                long deadline = System.currentTimeMillis()
                        + 1000L * Math.min(60, Integer.parseInt(q.getOrDefault("wait", "25")));
                while (since == revision && System.currentTimeMillis() < deadline && !down) {
                    try {
                        wait(Math.max(1, deadline - System.currentTimeMillis()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                rev = revision;
                if (since == revision) {
                    ex.getResponseHeaders().add("X-Tapguard-Revision", Long.toString(rev));
                    ex.sendResponseHeaders(304, -1);
                    return;
                }
                HostView stored = views.get(host);
                v = stored == null ? new HostView(host, rev, java.util.List.of(), Map.of(), Map.of(),
                        java.util.List.of()) : stored;
                v = new HostView(v.host(), rev, v.ports(), v.securityGroups(), v.members(), v.networks());
            }
            ex.getResponseHeaders().add("X-Tapguard-Revision", Long.toString(rev));
            send(ex, 200, HostDocuments.write(v).toString());
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        down = true;
        synchronized (this) {
            notifyAll();
        }
        http.stop(0);
    }
}
