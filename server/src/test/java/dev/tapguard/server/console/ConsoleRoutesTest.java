package dev.tapguard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The console's routes over HTTP against a running server (noauth, H2): files, settings, and the three API calls. */
class ConsoleRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path dataDir;
    private static TapguardServer server;
    private static String groupId;
    private static String boundPort;
    private static String unboundPort;

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("tgcon-routes-h2-");
        server = TapguardServer.start(ServerConfig.noauth("jdbc:h2:file:" + dataDir.resolve("tapguard")));
        groupId = call("POST", "/v2.0/security-groups", "p1", "{\"security_group\": {\"name\": \"tunnel\"}}")
                .json().path("security_group").path("id").asText();
        call("POST", "/v2.0/security-group-rules", "p1", "{\"security_group_rule\": {\"security_group_id\": \""
                + groupId + "\", \"direction\": \"ingress\", \"protocol\": \"4\"}}");
        String net = call("POST", "/v2.0/networks", "p1", "{\"network\": {\"name\": \"n\"}}").json().path("network")
                .path("id").asText();
        call("POST", "/v2.0/subnets", "p1", "{\"subnet\": {\"network_id\": \"" + net + "\", \"ip_version\": 4, "
                + "\"cidr\": \"10.9.0.0/24\"}}");
        // binding:host_id is admin-only, as in Neutron
        boundPort = call("POST", "/v2.0/ports", "p1", "{\"port\": {\"network_id\": \"" + net + "\", \"security_groups\": [\""
                + groupId + "\"], \"binding:host_id\": \"tgcon-h1\", \"device_owner\": \"compute:nova\"}}",
                "X-Roles", "admin").json().path("port").path("id").asText();
        unboundPort = call("POST", "/v2.0/ports", "p1", "{\"port\": {\"network_id\": \"" + net + "\"}}").json()
                .path("port").path("id").asText();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> walk = Files.walk(dataDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    record Answer(int status, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    /** project null: no identity headers at all (an admin with no project, as Neutron's noauth). */
    static Answer call(String method, String path, String project, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        boolean roles = false;
        for (int i = 0; i < headers.length; i += 2) {
            roles |= headers[i].equals("X-Roles");
        }
        if (project != null) {
            b.header("X-Project-Id", project);
            if (!roles) {
                b.header("X-Roles", "member");
            }
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theConsoleIsServedUnderConsoleWithRevalidationAndNoEscapeFromItsFolder() {
        Answer bare = call("GET", "/console", null, null);
        assertThat(bare.status()).isEqualTo(302);
        assertThat(bare.header("Location")).isEqualTo("/console/");
        Answer index = call("GET", "/console/", null, null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.header("Content-Security-Policy")).contains("default-src 'self'");
        assertThat(index.response().body()).contains("Tapguard console");
        Answer again = call("GET", "/console/", null, null, "If-None-Match", index.header("ETag"));
        assertThat(again.status()).isEqualTo(304);
        assertThat(call("GET", "/console/js/app.js", null, null).header("Content-Type")).startsWith("text/javascript");
        assertThat(call("GET", "/console/js/%2e%2e/index.html", null, null).status()).isEqualTo(404);
        assertThat(call("GET", "/console/nothere.js", null, null).status()).isEqualTo(404);
    }

    @Test
    void settingsSayNoauthAndKeystoneSignInIsRefusedWithoutKeystone() {
        assertThat(call("GET", "/console/api/config", null, null).json().path("auth").asText()).isEqualTo("noauth");
        Answer signIn = call("POST", "/console/api/tokens", null, "{\"username\": \"u\", \"password\": \"p\", \"project\": \"x\"}");
        assertThat(signIn.status()).isEqualTo(400);
        assertThat(signIn.json().path("error").path("message").asText()).contains("noauth");
    }

    @Test
    void effectiveRulesOfABoundPortTraceToTheRuleAndAnUnboundPortSaysSo() {
        JsonNode bound = call("GET", "/v2.0/tapguard/ports/" + boundPort + "/effective-rules", "p1", null).json()
                .path("effective_rules");
        // members do not see the host, as they do not see binding:host_id
        assertThat(bound.path("host").isNull()).isTrue();
        assertThat(bound.path("chains").get(0).path("name").asText()).isEqualTo("neutron-openvswi-i" + boundPort.substring(0, 10));
        assertThat(bound.toString()).contains("-p ipencap -j RETURN").contains(groupId);
        JsonNode unbound = call("GET", "/v2.0/tapguard/ports/" + unboundPort + "/effective-rules", "p1", null).json()
                .path("effective_rules");
        assertThat(unbound.path("chains")).isEmpty();
        assertThat(unbound.path("note").asText()).contains("not bound");
    }

    @Test
    void anotherProjectsPortIsNotFoundLikeAnyOtherPortCall() {
        Answer a = call("GET", "/v2.0/tapguard/ports/" + boundPort + "/effective-rules", "p2", null);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.json().path("NeutronError").path("type").asText()).isEqualTo("PortNotFound");
        Answer t = call("POST", "/v2.0/tapguard/ports/" + boundPort + "/trace", "p2",
                "{\"packet\": {\"direction\": \"ingress\", \"protocol\": \"4\", \"src_ip\": \"10.0.0.1\"}}");
        assertThat(t.status()).isEqualTo(404);
    }

    @Test
    void aTraceAnswersWithTheDecidingRuleAndBadPacketsAreRefusedClearly() {
        JsonNode t = call("POST", "/v2.0/tapguard/ports/" + boundPort + "/trace", "p1",
                "{\"packet\": {\"direction\": \"ingress\", \"protocol\": \"4\", \"src_ip\": \"10.0.0.1\"}}").json()
                .path("trace");
        assertThat(t.path("verdict").asText()).isEqualTo("ALLOWED");
        assertThat(t.path("decision").path("security_group_id").asText()).isEqualTo(groupId);
        assertThat(t.path("decision").path("rule_text").asText()).isEqualTo("-p ipencap -j RETURN");

        Answer sideways = call("POST", "/v2.0/tapguard/ports/" + boundPort + "/trace", "p1",
                "{\"packet\": {\"direction\": \"sideways\", \"protocol\": \"4\"}}");
        assertThat(sideways.status()).isEqualTo(400);
        assertThat(sideways.json().path("NeutronError").path("message").asText()).contains("direction");
        Answer noProto = call("POST", "/v2.0/tapguard/ports/" + boundPort + "/trace", "p1",
                "{\"packet\": {\"direction\": \"ingress\", \"src_ip\": \"10.0.0.1\"}}");
        assertThat(noProto.status()).isEqualTo(400);
        Answer unbound = call("POST", "/v2.0/tapguard/ports/" + unboundPort + "/trace", "p1",
                "{\"packet\": {\"direction\": \"ingress\", \"protocol\": \"4\", \"src_ip\": \"10.0.0.1\"}}");
        assertThat(unbound.status()).isEqualTo(400);
        assertThat(unbound.json().path("NeutronError").path("message").asText()).contains("not bound");
        assertThat(call("GET", "/v2.0/tapguard/ports/" + boundPort + "/trace", "p1", null).status()).isEqualTo(405);
    }

    @Test
    void lintWarnsAbout94AndDuplicatesAndPassesOnTheApisRefusal() {
        JsonNode l94 = call("POST", "/v2.0/tapguard/lint", "p1", "{\"security_group_rule\": {\"security_group_id\": \""
                + groupId + "\", \"direction\": \"ingress\", \"protocol\": \"94\"}}").json();
        assertThat(l94.path("warnings").get(0).path("code").asText()).isEqualTo("PROTOCOL_94_IS_BEET");
        assertThat(l94.path("warnings").get(0).path("message").asText()).contains("94 for BEET").contains("IP-in-IP is 4");
        JsonNode dup = call("POST", "/v2.0/tapguard/lint", "p1", "{\"security_group_rule\": {\"security_group_id\": \""
                + groupId + "\", \"direction\": \"ingress\", \"protocol\": 4}}").json();
        assertThat(dup.toString()).contains("DUPLICATE_RULE");
        JsonNode refused = call("POST", "/v2.0/tapguard/lint", "p1", "{\"security_group_rule\": {\"security_group_id\": \""
                + groupId + "\", \"direction\": \"ingress\", \"protocol\": \"4\", \"port_range_min\": 1}}").json();
        assertThat(refused.path("invalid").path("type").asText()).isEqualTo("SecurityGroupInvalidProtocolForPort");
        Answer foreign = call("POST", "/v2.0/tapguard/lint", "p2", "{\"security_group_rule\": {\"security_group_id\": \""
                + groupId + "\", \"direction\": \"ingress\", \"protocol\": \"94\"}}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().path("NeutronError").path("type").asText()).isEqualTo("SecurityGroupNotFound");
    }
}
