package dev.tapguard.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates X-Auth-Token with Keystone v3 ({@code GET /v3/auth/tokens}, the token in X-Subject-Token), as
 * keystonemiddleware does, and trusts a valid answer for a short while. The request authenticates itself: the
 * caller's token is also sent as X-Auth-Token (Keystone lets a token's subject validate it), so the server needs
 * no credentials of its own. Invalid tokens are never cached.
 */
public final class KeystoneAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_CACHED = 10_000;

    private final URI tokensUri;
    private final Duration ttl;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(RequestContext context, Instant until) {
    }

    public KeystoneAuthenticator(String keystoneUrl, Duration ttl, Clock clock) {
        String base = keystoneUrl.replaceAll("/+$", "");
        if (!base.endsWith("/v3")) {
            base = base + "/v3";
        }
        this.tokensUri = URI.create(base + "/auth/tokens");
        this.ttl = ttl;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public RequestContext authenticate(String token, Function<String, String> header) {
        if (token == null || token.isBlank()) {
            throw new Unauthorized("no X-Auth-Token");
        }
        Instant now = clock.instant();
        Cached hit = cache.get(token);
        if (hit != null && hit.until().isAfter(now)) {
            return hit.context();
        }
        Validated v = validate(token);
        if (cache.size() >= MAX_CACHED) {
            cache.entrySet().removeIf(e -> !e.getValue().until().isAfter(now));
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
        }
        Instant until = now.plus(ttl);
        if (v.expiresAt() != null && v.expiresAt().isBefore(until)) {
            until = v.expiresAt();
        }
        cache.put(token, new Cached(v.context(), until));
        return v.context();
    }

    private record Validated(RequestContext context, Instant expiresAt) {
    }

    private Validated validate(String token) {
        HttpRequest req = HttpRequest.newBuilder(tokensUri).timeout(Duration.ofSeconds(10))
                .header("X-Auth-Token", token).header("X-Subject-Token", token)
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IdentityUnavailable("cannot reach Keystone at " + tokensUri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IdentityUnavailable("interrupted while asking Keystone", e);
        }
        int status = resp.statusCode();
        if (status == 401 || status == 403 || status == 404) {
            throw new Unauthorized("Keystone rejected the token (" + status + ")");
        }
        if (status != 200) {
            throw new IdentityUnavailable("Keystone answered " + status + " for token validation", null);
        }
        try {
            JsonNode t = MAPPER.readTree(resp.body()).path("token");
            String project = t.path("project").path("id").asText(null);
            String user = t.path("user").path("id").asText(null);
            Set<String> roles = new LinkedHashSet<>();
            t.path("roles").forEach(r -> roles.add(r.path("name").asText()));
            Instant expires = t.hasNonNull("expires_at") ? Instant.parse(t.get("expires_at").asText()) : null;
            if (project == null) {
                // unscoped or system-scoped tokens carry no project: Neutron's API refuses them too
                throw new Unauthorized("token is not scoped to a project");
            }
            return new Validated(new RequestContext(project, user, NoAuthAuthenticator.implied(roles)), expires);
        } catch (IOException | RuntimeException e) {
            if (e instanceof Unauthorized u) {
                throw u;
            }
            LOG.warn("unreadable Keystone token document: {}", e.toString());
            throw new IdentityUnavailable("unreadable Keystone answer", e);
        }
    }
}
