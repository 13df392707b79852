package dev.tapguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Keystone token validation: 401 without a valid token, the token's project and roles, a brief cache, 503 when down. */
class KeystoneAuthTest {

    /** A test double of Keystone's token validation (GET /v3/auth/tokens with X-Subject-Token). */
    static final class FakeKeystone implements AutoCloseable {
        final HttpServer http;
        final AtomicInteger validations = new AtomicInteger();
        final Map<String, String> tokens;

        FakeKeystone(Map<String, String> tokens) throws IOException {
            this.tokens = tokens;
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/v3/auth/tokens", ex -> {
                validations.incrementAndGet();
                String subject = ex.getRequestHeaders().getFirst("X-Subject-Token");
                String body = tokens.get(subject);
                byte[] out = (body == null ? "{\"error\": {\"code\": 404}}" : body).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(body == null ? 404 : 200, out.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(out);
                }
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/v3";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    static String token(String project, String user, String... roles) {
        StringBuilder r = new StringBuilder();
        for (String role : roles) {
            r.append(r.isEmpty() ? "" : ",").append("{\"id\": \"").append(role).append("\", \"name\": \"")
                    .append(role).append("\"}");
        }
        return "{\"token\": {\"project\": {\"id\": \"" + project + "\"}, \"user\": {\"id\": \"" + user
                + "\"}, \"roles\": [" + r + "], \"expires_at\": \"2999-01-01T00:00:00.000000Z\"}}";
    }

    @Test
    void tokensAreValidatedByKeystoneCachedBrieflyAndScopeTheCaller() throws Exception {
        try (TestStores.Store store = TestStores.h2();
             FakeKeystone ks = new FakeKeystone(Map.of("good", token("p1", "u1", "member", "reader"),
                     "admin-token", token("p2", "u2", "admin")));
             TapguardServer server = TapguardServer.start(ServerConfig.keystone(store.url(), ks.url()))) {
            Http.Response none = Http.token(server.url(), null).get("/v2.0/security-groups");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.json().path("error").path("message").asText())
                    .isEqualTo("The request you have made requires authentication.");
            assertThat(none.header("X-Openstack-Request-Id")).startsWith("req-");
            assertThat(Http.token(server.url(), "forged").get("/v2.0/security-groups").status()).isEqualTo(401);
            // noauth headers are not identity in keystone mode
            assertThat(Http.noauth(server.url(), "p1", "admin").get("/v2.0/security-groups").status())
                    .isEqualTo(401);
            assertThat(Http.token(server.url(), null).get("/").status()).isEqualTo(200);

            Http good = Http.token(server.url(), "good");
            int before = ks.validations.get();
            Http.Response r = good.get("/v2.0/security-groups");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("security_groups").get(0).path("project_id").asText()).isEqualTo("p1");
            for (int i = 0; i < 5; i++) {
                assertThat(good.get("/v2.0/security-groups").status()).isEqualTo(200);
            }
            assertThat(ks.validations.get() - before).isEqualTo(1);
            assertThat(good.get("/v2.0/tapguard/hosts/h/view").status()).isEqualTo(403);
            assertThat(Http.token(server.url(), "admin-token").get("/v2.0/tapguard/hosts/h/view").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void anUnreachableKeystoneIs503NotAGuess() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (TestStores.Store store = TestStores.h2();
             TapguardServer server = TapguardServer.start(ServerConfig.keystone(store.url(),
                     "http://127.0.0.1:" + deadPort))) {
            Http.Response r = Http.token(server.url(), "good").get("/v2.0/security-groups");
            assertThat(r.status()).isEqualTo(503);
        }
    }
}
