package dev.tapguard.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs a console user in with Keystone v3 password authentication, scoped to a project, through the Keystone the
 * server validates tokens with. The browser never talks to Keystone itself (no cross-origin calls, one URL to open).
 */
public final class KeystonePasswordClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI tokensUri;
    private final HttpClient http;

    /** What Keystone answered: the token and who it is for, or Keystone's status and error document. */
    public record Result(int status, String token, String projectId, String projectName, String userId,
                         String userName, List<String> roles, String expiresAt, JsonNode error) {
        public boolean ok() {
            return token != null;
        }
    }

    public KeystonePasswordClient(String keystoneUrl) {
        String base = keystoneUrl.replaceAll("/+$", "");
        if (!base.endsWith("/v3")) {
            base = base + "/v3";
        }
        this.tokensUri = URI.create(base + "/auth/tokens");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public Result issue(String user, String password, String project, String domain) throws IOException {
        ObjectNode body = MAPPER.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode u = identity.putObject("password").putObject("user");
        u.put("name", user).put("password", password).putObject("domain").put("name", domain);
        auth.putObject("scope").putObject("project").put("name", project).putObject("domain").put("name", domain);
        HttpRequest req = HttpRequest.newBuilder(tokensUri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking Keystone", e);
        }
        JsonNode doc;
        try {
            doc = resp.body() == null || resp.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(resp.body());
        } catch (IOException e) {
            doc = MAPPER.createObjectNode();
        }
        String token = resp.headers().firstValue("X-Subject-Token").orElse(null);
        if (resp.statusCode() / 100 != 2 || token == null) {
            return new Result(resp.statusCode(), null, null, null, null, null, List.of(), null, doc);
        }
        JsonNode t = doc.path("token");
        List<String> roles = new ArrayList<>();
        t.path("roles").forEach(r -> roles.add(r.path("name").asText()));
        return new Result(resp.statusCode(), token, t.path("project").path("id").asText(null),
                t.path("project").path("name").asText(null), t.path("user").path("id").asText(null),
                t.path("user").path("name").asText(null), roles, t.path("expires_at").asText(null), null);
    }
}
