package dev.tapguard.server;

import static dev.tapguard.server.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Client mistakes (invalid JSON, wrong types, unknown attributes, huge bodies, non-UUID ids, ...) get a 4xx
 * NeutronError and change nothing: the global revision and every collection read back identical.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputLeavesStoreUnchangedTest {
    private TestStores.Store store;
    private TapguardServer server;
    private Http user;
    private Http admin;
    private String sg;
    private String port;
    private String net;

    @BeforeAll
    void start() {
        store = TestStores.h2();
        server = TapguardServer.start(ServerConfig.noauth(store.url()));
        user = Http.noauth(server.url(), UUID.randomUUID().toString().replace("-", ""), "member,reader");
        admin = Http.noauth(server.url(), "admin-project", "admin");
        sg = user.post("/v2.0/security-groups", map("security_group", map("name", "web"))).json()
                .path("security_group").path("id").asText();
        net = user.post("/v2.0/networks", map("network", map("name", "n"))).json().path("network").path("id")
                .asText();
        user.post("/v2.0/subnets", map("subnet", map("network_id", net, "cidr", "10.0.0.0/24", "ip_version", 4)));
        port = user.post("/v2.0/ports", map("port", map("network_id", net, "security_groups", List.of(sg)))).json()
                .path("port").path("id").asText();
        // the admin's first list creates its own default group: do that before any snapshot
        admin.get("/v2.0/security-groups");
    }

    @AfterAll
    void stop() {
        server.close();
        store.close();
    }

    private String snapshot() {
        StringBuilder s = new StringBuilder();
        s.append(admin.get("/healthz").json().path("revision").asLong()).append('\n');
        for (String c : List.of("security-groups", "security-group-rules", "networks", "subnets", "ports",
                "rbac-policies")) {
            s.append(admin.get("/v2.0/" + c).text()).append('\n');
        }
        return s.toString();
    }

    static Stream<Arguments> mistakes() {
        String huge = "{\"security_group\": {\"name\": \"" + "x".repeat(2 << 20) + "\"}}";
        return Stream.of(
                Arguments.of("invalid JSON", "POST", "/v2.0/security-groups", "{\"security_group\": ", 400),
                Arguments.of("JSON that is not an object", "POST", "/v2.0/security-groups", "[1, 2]", 400),
                Arguments.of("empty body", "POST", "/v2.0/security-groups", "", 400),
                Arguments.of("wrong root key", "POST", "/v2.0/security-groups", "{\"securitygroup\": {}}", 400),
                Arguments.of("resource is not an object", "POST", "/v2.0/security-groups",
                        "{\"security_group\": \"web\"}", 400),
                Arguments.of("unknown attribute", "POST", "/v2.0/security-groups",
                        "{\"security_group\": {\"name\": \"x\", \"foo\": 1}}", 400),
                Arguments.of("name of the wrong type", "POST", "/v2.0/security-groups",
                        "{\"security_group\": {\"name\": true}}", 400),
                Arguments.of("name too long", "POST", "/v2.0/security-groups",
                        "{\"security_group\": {\"name\": \"" + "n".repeat(256) + "\"}}", 400),
                Arguments.of("stateful not a boolean", "POST", "/v2.0/security-groups",
                        "{\"security_group\": {\"name\": \"s\", \"stateful\": \"maybe\"}}", 400),
                Arguments.of("huge body", "POST", "/v2.0/security-groups", huge, 413),
                Arguments.of("read-only attribute", "POST", "/v2.0/security-groups",
                        "{\"security_group\": {\"id\": \"" + UUID.randomUUID() + "\"}}", 400),
                Arguments.of("rule port of the wrong type", "POST", "/v2.0/security-group-rules",
                        "{\"security_group_rule\": {\"security_group_id\": \"SG\", \"direction\": \"ingress\", "
                                + "\"protocol\": \"tcp\", \"port_range_min\": [1], \"port_range_max\": 2}}", 400),
                Arguments.of("rule protocol out of range", "POST", "/v2.0/security-group-rules",
                        "{\"security_group_rule\": {\"security_group_id\": \"SG\", \"direction\": \"ingress\", "
                                + "\"protocol\": 300}}", 400),
                Arguments.of("rule in a non-UUID group", "POST", "/v2.0/security-group-rules",
                        "{\"security_group_rule\": {\"security_group_id\": \"not-a-uuid\", "
                                + "\"direction\": \"ingress\"}}", 404),
                Arguments.of("bulk with one bad rule", "POST", "/v2.0/security-group-rules",
                        "{\"security_group_rules\": [{\"security_group_id\": \"SG\", \"direction\": \"ingress\", "
                                + "\"protocol\": \"udp\"}, {\"security_group_id\": \"SG\", \"direction\": "
                                + "\"up\"}]}", 400),
                Arguments.of("rule update of a read-only attribute", "PUT", "/v2.0/security-group-rules/RULE",
                        "{\"security_group_rule\": {\"protocol\": \"udp\"}}", 400),
                Arguments.of("show a non-UUID group", "GET", "/v2.0/security-groups/not-a-uuid", null, 404),
                Arguments.of("delete a non-UUID group", "DELETE", "/v2.0/security-groups/not-a-uuid", null, 404),
                Arguments.of("delete a group in use", "DELETE", "/v2.0/security-groups/SG", null, 409),
                Arguments.of("PUT on a collection", "PUT", "/v2.0/security-groups", "{\"security_group\": {}}", 404),
                Arguments.of("unknown filter", "GET", "/v2.0/security-groups?foo=bar", null, 400),
                Arguments.of("port on a non-UUID network", "POST", "/v2.0/ports",
                        "{\"port\": {\"network_id\": \"nope\"}}", 404),
                Arguments.of("port with duplicate groups", "PUT", "/v2.0/ports/PORT",
                        "{\"port\": {\"security_groups\": [\"SG\", \"SG\"]}}", 400),
                Arguments.of("port with a missing group", "PUT", "/v2.0/ports/PORT",
                        "{\"port\": {\"security_groups\": [\"" + UUID.randomUUID() + "\"]}}", 404),
                Arguments.of("address pair without ip", "PUT", "/v2.0/ports/PORT",
                        "{\"port\": {\"allowed_address_pairs\": [{\"mac_address\": \"fa:16:3e:00:00:01\"}]}}", 400),
                Arguments.of("bad MAC", "PUT", "/v2.0/ports/PORT",
                        "{\"port\": {\"allowed_address_pairs\": [{\"ip_address\": \"10.0.0.9\", "
                                + "\"mac_address\": \"zz\"}]}}", 400),
                Arguments.of("quota of the wrong type", "PUT", "/v2.0/quotas/p1",
                        "{\"quota\": {\"security_group\": \"value\"}}", 400),
                Arguments.of("quota of null", "PUT", "/v2.0/quotas/p1", "{\"quota\": {\"security_group\": null}}",
                        400),
                Arguments.of("RBAC policy without a target", "POST", "/v2.0/rbac-policies",
                        "{\"rbac_policy\": {\"object_type\": \"security_group\", \"object_id\": \"SG\", "
                                + "\"action\": \"access_as_shared\", \"target_tenant\": null}}", 400),
                Arguments.of("subnet with a host-bits CIDR", "POST", "/v2.0/subnets",
                        "{\"subnet\": {\"network_id\": \"NETID\", \"cidr\": \"10.1.0.5/24\", "
                                + "\"ip_version\": 4}}", 400),
                Arguments.of("network with an unknown provider type", "POST", "/v2.0/networks",
                        "{\"network\": {\"provider:network_type\": \"token-ring\"}}", 400),
                Arguments.of("stale If-Match", "DELETE", "/v2.0/ports/PORT", null, 412));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void aClientMistakeIsA4xxNeutronErrorAndChangesNothing(String what, String method, String path, String body,
                                                          int status) {
        String before = snapshot();
        String p = path.replace("SG", sg).replace("PORT", port).replace("NET", net).replace("RULE", firstRule());
        String b = body == null ? null : body.replace("\"SG\"", "\"" + sg + "\"").replace("NETID", net);
        Http who = what.contains("quota") || what.contains("provider") ? admin : user;
        if (what.contains("If-Match")) {
            who = who.with("If-Match", "revision_number=999");
        }
        Http.Response r = who.send(method, p, b);
        assertThat(r.status()).as(what + ": " + r.text()).isEqualTo(status);
        assertThat(r.json().path("NeutronError").path("type").asText()).as(r.text()).isNotEmpty();
        assertThat(r.json().path("NeutronError").path("message").asText()).isNotEmpty();
        assertThat(snapshot()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void aBrokenPercentEscapeIs400() throws Exception {
        String before = snapshot();
        int port = Integer.parseInt(server.url().substring(server.url().lastIndexOf(':') + 1));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /v2.0/security-groups?name=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "X-Project-Id: p\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String reply = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    private String firstRule() {
        return admin.get("/v2.0/security-group-rules?security_group_id=" + sg).json().path("security_group_rules")
                .get(0).path("id").asText();
    }
}
