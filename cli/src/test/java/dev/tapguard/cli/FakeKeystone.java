package dev.tapguard.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A test double of Keystone's token validation ({@code GET /v3/auth/tokens} with X-Subject-Token) on 127.0.0.1,
 * port chosen by the kernel, so that the real server can run with {@code --auth keystone} in the CLI's tests.
 */
final class FakeKeystone implements AutoCloseable {
    private final HttpServer http;

    /** Tokens to (project, roles...). */
    FakeKeystone(Map<String, String[]> tokens) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/v3/auth/tokens", ex -> {
            String[] who = tokens.get(ex.getRequestHeaders().getFirst("X-Subject-Token"));
            String body = who == null ? "{\"error\": {\"code\": 404}}" : token(who);
            byte[] out = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(who == null ? 404 : 200, out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        });
        http.start();
    }

    private static String token(String[] who) {
        StringBuilder roles = new StringBuilder();
        for (int i = 1; i < who.length; i++) {
            roles.append(i == 1 ? "" : ",").append("{\"id\": \"").append(who[i]).append("\", \"name\": \"")
                    .append(who[i]).append("\"}");
        }
        return "{\"token\": {\"project\": {\"id\": \"" + who[0] + "\"}, \"user\": {\"id\": \"u-" + who[0]
                + "\"}, \"roles\": [" + roles + "], \"expires_at\": \"2999-01-01T00:00:00.000000Z\"}}";
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/v3";
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
