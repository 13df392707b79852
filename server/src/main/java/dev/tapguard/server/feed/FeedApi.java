package dev.tapguard.server.feed;

import dev.tapguard.model.HostView;
import dev.tapguard.server.api.ApiRequest;
import dev.tapguard.server.api.ApiResponse;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.store.Database;
import dev.tapguard.wire.HostDocuments;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v2.0/tapguard/hosts/{host}/view[?since=REV][&wait=SECONDS]}: the host's view as the wire document,
 * at once when {@code since} is absent or differs from the current revision, else when the revision moves (304 after
 * {@code wait} seconds, default 25, at most 60). Admins and the service role only.
 */
public final class FeedApi {
    public static final String REVISION_HEADER = "X-Tapguard-Revision";
    static final int DEFAULT_WAIT = 25;
    static final int MAX_WAIT = 60;

    private final Database db;
    private final HostViewStore views;
    private final Executor executor;

    public FeedApi(Database db, Executor executor) {
        this.db = db;
        this.views = new HostViewStore(db);
        this.executor = executor;
    }

    public CompletableFuture<ApiResponse> view(ApiRequest req, String host) {
        RequestContext ctx = req.ctx();
        if (!ctx.isAdmin() && !ctx.isService()) {
            throw Errors.policy("rule:get_host_view");
        }
        Long since = number(req.param("since"), "since");
        Long waitParam = number(req.param("wait"), "wait");
        long wait = waitParam == null ? DEFAULT_WAIT : Math.max(0, Math.min(MAX_WAIT, waitParam));
        long current = db.watch().current();
        if (since == null || since != current) {
            return CompletableFuture.completedFuture(full(host));
        }
        CompletableFuture<Long> moved = db.watch().after(since);
        CompletableFuture<ApiResponse> answer = moved
                .thenApplyAsync(rev -> full(host), executor)
                .completeOnTimeout(null, wait, TimeUnit.SECONDS)
                .thenApply(r -> r != null ? r : new ApiResponse(304, null,
                        Map.of(REVISION_HEADER, String.valueOf(db.watch().current()))));
        // a timed-out poll must not stay registered with the watch
        answer.whenComplete((r, e) -> moved.cancel(false));
        return answer;
    }

    private ApiResponse full(String host) {
        HostView v = views.view(host);
        return new ApiResponse(200, HostDocuments.write(v), Map.of(REVISION_HEADER, String.valueOf(v.revision())));
    }

    private static Long number(String raw, String name) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw Errors.badRequest("Invalid input for " + name + ". Reason: '" + raw + "' is not an integer.");
        }
    }
}
