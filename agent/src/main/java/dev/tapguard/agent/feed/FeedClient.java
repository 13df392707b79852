package dev.tapguard.agent.feed;

import dev.tapguard.model.HostView;
import dev.tapguard.wire.HostDocumentException;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code GET /v2.0/tapguard/hosts/{host}/view?since=REV&wait=S} (briefs/FEED.md): long-polls from the last
 * revision seen, hands every 200 to the listener as the full truth (so a server restart, a gap or a revision going
 * backwards simply resyncs), and on errors backs off (1 s doubling to 30 s) while the agent keeps its rules.
 */
public final class FeedClient implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(FeedClient.class);

    /** Where the server is and how to authenticate (a Keystone token, or noauth headers with a role). */
    public record Config(URI server, String host, int waitSeconds, String authToken, String noauthRole) {
    }

    private final Config cfg;
    private final FeedListener listener;
    private final HttpClient http;
    private volatile boolean stopped;
    private volatile Thread thread;
    private long since = -1;

    public FeedClient(Config cfg, FeedListener listener) {
        this.cfg = cfg;
        this.listener = listener;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public void start() {
        Thread t = new Thread(this, "tapguard-feed");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        long backoff = 1000;
        while (!stopped) {
            try {
                poll();
                backoff = 1000;
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                String why = e instanceof HostDocumentException ? "unusable host view: " + e.getMessage()
                        : "server " + cfg.server() + " unreachable: " + e;
                listener.onTrouble(why);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    if (stopped) {
                        return;
                    }
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }

    /** One request; returns after a 200 (delivered), a 304, or throws. */
    void poll() throws IOException, InterruptedException {
        String path = "/v2.0/tapguard/hosts/" + URLEncoder.encode(cfg.host(), StandardCharsets.UTF_8) + "/view";
        String query = since < 0 ? "" : "?since=" + since + "&wait=" + cfg.waitSeconds();
        HttpRequest.Builder rb = HttpRequest.newBuilder(cfg.server().resolve(path + query))
                .timeout(Duration.ofSeconds(cfg.waitSeconds() + 15L)).header("Accept", "application/json").GET();
        if (cfg.authToken() != null) {
            rb.header("X-Auth-Token", cfg.authToken());
        } else {
            rb.header("X-Project-Id", "tapguard-agent").header("X-User-Id", "tapguard-agent")
                    .header("X-Roles", cfg.noauthRole());
        }
        HttpResponse<String> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        int code = resp.statusCode();
        if (code == 304) {
            listener.onUnchanged(since);
            return;
        }
        if (code != 200) {
            String body = resp.body() == null ? "" : resp.body();
            throw new IOException("HTTP " + code + " from " + path + ": "
                    + (body.length() > 300 ? body.substring(0, 300) : body));
        }
        HostView view = HostDocuments.read(resp.body()).view();
        if (!cfg.host().equals(view.host())) {
            throw new HostDocumentException("host", "view is for host '" + view.host() + "', not '" + cfg.host()
                    + "'");
        }
        long rev = resp.headers().firstValueAsLong("X-Tapguard-Revision").orElse(view.revision());
        if (since >= 0 && rev < since) {
            LOG.warn("server revision went back from {} to {} (server store reset?): taking its view as the truth",
                    since, rev);
        }
        since = rev;
        listener.onView(view);
    }
}
