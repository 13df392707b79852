package dev.tapguard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small JSON client for tests: one identity (noauth headers or a token), plain java.net.http. */
public final class Http {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final Map<String, String> headers;

    private Http(String base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** A caller in noauth mode: project and roles in headers. */
    public static Http noauth(String base, String project, String roles) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Project-Id", project);
        h.put("X-Roles", roles);
        return new Http(base, h);
    }

    public static Http token(String base, String token) {
        Map<String, String> h = new LinkedHashMap<>();
        if (token != null) {
            h.put("X-Auth-Token", token);
        }
        return new Http(base, h);
    }

    public Http with(String header, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(header, value);
        return new Http(base, h);
    }

    /** A response: status, parsed JSON body (null when empty or not JSON), raw text, headers. */
    public record Response(int status, JsonNode json, String text, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public String errorType() {
            return json == null ? null : json.path("NeutronError").path("type").asText(null);
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    /** Sends a body: a String is sent as is (so tests can send broken JSON), anything else as JSON. */
    public Response send(String method, String path, Object body) {
        try {
            byte[] data = body == null ? null : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : body instanceof byte[] b ? b : MAPPER.writeValueAsBytes(body);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                    .method(method, data == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(data));
            headers.forEach(b::header);
            if (data != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (!r.body().isEmpty()) {
                try {
                    json = MAPPER.readTree(r.body());
                } catch (IOException e) {
                    json = null;
                }
            }
            return new Response(r.statusCode(), json, r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
