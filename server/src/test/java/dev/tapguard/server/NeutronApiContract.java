package dev.tapguard.server;

import static dev.tapguard.server.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Neutron's API behaviour, checked on a real server over HTTP; run once per store kind. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NeutronApiContract {
    private TestStores.Store store;
    private TapguardServer server;
    Http alice;
    Http bob;
    Http admin;
    Http reader;
    String aliceProject;

    abstract TestStores.Store newStore();

    @BeforeAll
    void start() {
        store = newStore();
        server = TapguardServer.start(ServerConfig.noauth(store.url()));
        aliceProject = UUID.randomUUID().toString().replace("-", "");
        alice = Http.noauth(server.url(), aliceProject, "member,reader");
        bob = Http.noauth(server.url(), UUID.randomUUID().toString().replace("-", ""), "member,reader");
        admin = Http.noauth(server.url(), UUID.randomUUID().toString().replace("-", ""), "admin");
        reader = Http.noauth(server.url(), aliceProject, "reader");
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    String group(Http who, String name) {
        Http.Response r = who.post("/v2.0/security-groups", map("security_group", map("name", name)));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("security_group").path("id").asText();
    }

    Http.Response rule(Http who, String group, Object... kv) {
        Map<String, Object> body = map("security_group_id", group, "direction", "ingress");
        body.putAll(map(kv));
        return who.post("/v2.0/security-group-rules", map("security_group_rule", body));
    }

    @Test
    void aProjectsFirstListCreatesTheDefaultGroupWithNeutronsFourRules() {
        Http carol = Http.noauth(serverUrl(), UUID.randomUUID().toString(), "member,reader");
        JsonNode groups = carol.get("/v2.0/security-groups").json().path("security_groups");
        assertThat(groups).hasSize(1);
        JsonNode def = groups.get(0);
        assertThat(def.path("name").asText()).isEqualTo("default");
        assertThat(def.path("description").asText()).isEqualTo("Default security group");
        List<String> rules = new ArrayList<>();
        def.path("security_group_rules").forEach(r -> rules.add(r.path("direction").asText() + " "
                + r.path("ethertype").asText() + " " + (r.path("remote_group_id").isNull() ? "any" : "self:"
                + r.path("remote_group_id").asText().equals(def.path("id").asText()))
                + " desc=" + r.path("description")));
        assertThat(rules).containsExactly("ingress IPv4 self:true desc=null", "egress IPv4 any desc=null",
                "ingress IPv6 self:true desc=null", "egress IPv6 any desc=null");
        // the second list does not create another one
        assertThat(carol.get("/v2.0/security-groups").json().path("security_groups")).hasSize(1);
    }

    String serverUrl() {
        return server.url();
    }

    @Test
    void aNewGroupGetsTwoEgressRules() {
        String id = group(alice, "web");
        JsonNode g = alice.get("/v2.0/security-groups/" + id).json().path("security_group");
        assertThat(g.path("revision_number").asInt()).isEqualTo(1);
        assertThat(g.path("stateful").asBoolean()).isTrue();
        assertThat(g.path("security_group_rules")).hasSize(2)
                .allSatisfy(r -> assertThat(r.path("direction").asText()).isEqualTo("egress"));
    }

    @Test
    void protocolsAreStoredAsGivenAndDuplicatesComparedByNumber() {
        String sg = group(alice, "dup");
        Http.Response four = rule(alice, sg, "protocol", "4", "remote_ip_prefix", "10.0.0.0/8");
        assertThat(four.status()).isEqualTo(201);
        assertThat(four.json().path("security_group_rule").path("protocol").asText()).isEqualTo("4");
        String fourId = four.json().path("security_group_rule").path("id").asText();
        Http.Response ipip = rule(alice, sg, "protocol", "ipip", "remote_ip_prefix", "10.0.0.0/8");
        assertThat(ipip.status()).isEqualTo(409);
        assertThat(ipip.errorType()).isEqualTo("SecurityGroupRuleExists");
        assertThat(ipip.json().path("NeutronError").path("message").asText()).contains(fourId);
        Http.Response n94 = rule(alice, sg, "protocol", 94, "remote_ip_prefix", "10.0.0.0/8");
        assertThat(n94.status()).isEqualTo(201);
        assertThat(n94.json().path("security_group_rule").path("protocol").asText()).isEqualTo("94");
        assertThat(rule(alice, sg, "protocol", 4, "remote_ip_prefix", "10.0.0.0/8").status()).isEqualTo(409);
        Http.Response host = rule(alice, sg, "protocol", "tcp", "port_range_min", 22, "port_range_max", 22,
                "remote_ip_prefix", "192.168.1.10/24");
        assertThat(host.json().path("security_group_rule").path("remote_ip_prefix").asText())
                .isEqualTo("192.168.1.10/24");
        assertThat(host.json().path("security_group_rule").path("normalized_cidr").asText())
                .isEqualTo("192.168.1.0/24");
        // a plain string filter: ipip does not find the rule stored as "4"
        assertThat(alice.get("/v2.0/security-group-rules?protocol=ipip&security_group_id=" + sg).json()
                .path("security_group_rules")).isEmpty();
        assertThat(alice.get("/v2.0/security-group-rules?protocol=4&security_group_id=" + sg).json()
                .path("security_group_rules")).hasSize(1);
        // each rule bumped the group's revision
        assertThat(alice.get("/v2.0/security-groups/" + sg).json().path("security_group").path("revision_number")
                .asInt()).isEqualTo(4);
    }

    @Test
    void neutronsRuleErrorsKeepTheirTypesAndStatuses() {
        String sg = group(alice, "errs");
        assertThat(rule(alice, sg, "protocol", "tcp", "port_range_min", 100, "port_range_max", 50).errorType())
                .isEqualTo("SecurityGroupInvalidPortRange");
        assertThat(rule(alice, sg, "protocol", 256).errorType()).isEqualTo("SecurityGroupRuleInvalidProtocol");
        assertThat(rule(alice, sg, "ethertype", "IPv6", "remote_ip_prefix", "10.0.0.0/24").errorType())
                .isEqualTo("SecurityGroupRuleParameterConflict");
        assertThat(rule(alice, sg, "protocol", "ipv6-icmp").errorType())
                .isEqualTo("SecurityGroupEthertypeConflictWithProtocol");
        Http.Response unknownRemote = rule(alice, sg, "remote_group_id", UUID.randomUUID().toString());
        assertThat(unknownRemote.status()).isEqualTo(404);
        assertThat(unknownRemote.errorType()).isEqualTo("SecurityGroupNotFound");
        Http.Response sideways = rule(alice, sg, "direction", "sideways");
        assertThat(sideways.status()).isEqualTo(400);
        assertThat(sideways.json().path("NeutronError").path("message").asText())
                .isEqualTo("Invalid input for direction. Reason: sideways is not in valid_values.");
    }

    @Test
    void bulkRuleCreationIsAllOrNothing() {
        String sg = group(alice, "bulk");
        Http.Response bad = alice.post("/v2.0/security-group-rules", map("security_group_rules", List.of(
                map("security_group_id", sg, "direction", "ingress", "protocol", "tcp"),
                map("security_group_id", sg, "direction", "ingress", "protocol", "tcp", "port_range_min", 0,
                        "port_range_max", 5))));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(alice.get("/v2.0/security-group-rules?security_group_id=" + sg).json()
                .path("security_group_rules")).hasSize(2);
        Http.Response dup = alice.post("/v2.0/security-group-rules", map("security_group_rules", List.of(
                map("security_group_id", sg, "direction", "ingress", "protocol", "udp"),
                map("security_group_id", sg, "direction", "ingress", "protocol", "17"))));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.errorType()).isEqualTo("DuplicateSecurityGroupRuleInPost");
        Http.Response ok = alice.post("/v2.0/security-group-rules", map("security_group_rules", List.of(
                map("security_group_rule", map("security_group_id", sg, "direction", "ingress", "protocol", "udp")),
                map("security_group_id", sg, "direction", "ingress", "protocol", "tcp"))));
        assertThat(ok.status()).isEqualTo(201);
        assertThat(ok.json().path("security_group_rules")).hasSize(2);
        assertThat(alice.get("/v2.0/security-group-rules?security_group_id=" + sg).json()
                .path("security_group_rules")).hasSize(4);
    }

    @Test
    void theDefaultGroupCannotBeRenamedNorDeletedByItsProject() {
        String def = alice.get("/v2.0/security-groups?name=default").json().path("security_groups").get(0)
                .path("id").asText();
        Http.Response rename = alice.put("/v2.0/security-groups/" + def, map("security_group", map("name", "x")));
        assertThat(rename.status()).isEqualTo(409);
        assertThat(rename.errorType()).isEqualTo("SecurityGroupCannotUpdateDefault");
        Http.Response delete = alice.delete("/v2.0/security-groups/" + def);
        assertThat(delete.errorType()).isEqualTo("SecurityGroupCannotRemoveDefault");
        Http.Response second = alice.post("/v2.0/security-groups", map("security_group", map("name", "default")));
        assertThat(second.errorType()).isEqualTo("SecurityGroupDefaultAlreadyExists");
        String other = group(alice, "not-default");
        assertThat(alice.put("/v2.0/security-groups/" + other, map("security_group", map("name", "default")))
                .errorType()).isEqualTo("SecurityGroupDefaultAlreadyExists");
    }

    @Test
    void anotherProjectsObjectsAreNotFound() {
        String sg = group(alice, "private");
        String ruleId = rule(alice, sg, "protocol", "tcp").json().path("security_group_rule").path("id").asText();
        assertThat(bob.get("/v2.0/security-groups/" + sg).errorType()).isEqualTo("SecurityGroupNotFound");
        assertThat(bob.delete("/v2.0/security-groups/" + sg).status()).isEqualTo(404);
        assertThat(rule(bob, sg, "protocol", "udp").status()).isEqualTo(404);
        Http.Response r = bob.get("/v2.0/security-group-rules/" + ruleId);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorType()).isEqualTo("HTTPNotFound");
        assertThat(bob.get("/v2.0/security-groups").json().path("security_groups"))
                .noneMatch(g -> g.path("id").asText().equals(sg));
        assertThat(admin.get("/v2.0/security-groups/" + sg).status()).isEqualTo(200);
        assertThat(alice.get("/v2.0/security-groups/not-a-uuid").status()).isEqualTo(404);
    }

    @Test
    void readersMayReadButNotWrite() {
        assertThat(reader.get("/v2.0/security-groups").status()).isEqualTo(200);
        Http.Response w = reader.post("/v2.0/security-groups", map("security_group", map("name", "r")));
        assertThat(w.status()).isEqualTo(403);
        assertThat(w.errorType()).isEqualTo("PolicyNotAuthorized");
    }

    @Test
    void ifMatchGuardsRevisions() {
        String sg = group(alice, "rev");
        Http.Response stale = alice.with("If-Match", "revision_number=7").put("/v2.0/security-groups/" + sg,
                map("security_group", map("description", "x")));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.errorType()).isEqualTo("RevisionNumberConstraintFailed");
        Http.Response ok = alice.with("If-Match", "revision_number=1").put("/v2.0/security-groups/" + sg,
                map("security_group", map("description", "x")));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("security_group").path("revision_number").asInt()).isEqualTo(2);
    }

    @Test
    void listsFilterSortPaginateAndSelectFields() {
        Http p = Http.noauth(serverUrl(), UUID.randomUUID().toString(), "member,reader");
        for (String n : List.of("c", "a", "b")) {
            group(p, n);
        }
        JsonNode page = p.get("/v2.0/security-groups?limit=2&sort_key=name&sort_dir=asc&fields=name").json();
        assertThat(page.path("security_groups").toString()).isEqualTo("[{\"name\":\"a\"},{\"name\":\"b\"}]");
        JsonNode links = page.path("security_groups_links");
        assertThat(links.get(0).path("rel").asText()).isEqualTo("next");
        String next = links.get(0).path("href").asText();
        assertThat(next).startsWith(serverUrl() + "/v2.0/security-groups?limit=2&sort_key=name&sort_dir=asc"
                + "&fields=name&marker=");
        JsonNode page2 = p.get(next.substring(serverUrl().length())).json();
        assertThat(page2.path("security_groups").toString()).isEqualTo("[{\"name\":\"c\"},{\"name\":\"default\"}]");
        assertThat(p.get("/v2.0/security-groups?sort_key=name&sort_dir=desc&fields=name").json()
                .path("security_groups").get(0).path("name").asText()).isEqualTo("default");
        Http.Response bad = p.get("/v2.0/security-groups?foo=bar");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("NeutronError").path("message").asText())
                .isEqualTo("['foo'] is invalid attribute for filtering");
        assertThat(p.get("/v2.0/security-groups?limit=abc").status()).isEqualTo(400);
        assertThat(p.get("/v2.0/security-groups?name=a&name=b").json().path("security_groups")).hasSize(2);
        assertThat(p.get("/v2.0/security-groups?changed_since=2000-01-01T00:00:00Z").json().path("security_groups"))
                .hasSize(4);
        assertThat(p.get("/v2.0/security-groups?changed_since=2999-01-01T00:00:00Z").json().path("security_groups"))
                .isEmpty();
        assertThat(p.get("/v2.0/security-groups?changed_since=yesterday").status()).isEqualTo(400);
    }

    @Test
    void portsCheckGroupsPortSecurityAndBinding() {
        String net = alice.post("/v2.0/networks", map("network", map("name", "n1"))).json().path("network")
                .path("id").asText();
        Http.Response sub = alice.post("/v2.0/subnets", map("subnet", map("network_id", net, "cidr", "10.9.0.0/24",
                "ip_version", 4)));
        assertThat(sub.status()).isEqualTo(201);
        String stateful = group(alice, "sf");
        String stateless = alice.post("/v2.0/security-groups", map("security_group", map("name", "sl",
                "stateful", false))).json().path("security_group").path("id").asText();
        Http.Response p = alice.post("/v2.0/ports", map("port", map("network_id", net, "security_groups",
                List.of(stateful), "allowed_address_pairs", List.of(map("ip_address", "10.9.0.200")))));
        assertThat(p.status()).as(p.text()).isEqualTo(201);
        JsonNode port = p.json().path("port");
        String portId = port.path("id").asText();
        assertThat(port.path("mac_address").asText()).startsWith("fa:16:3e:");
        assertThat(port.path("fixed_ips").get(0).path("ip_address").asText()).isEqualTo("10.9.0.2");
        assertThat(port.path("allowed_address_pairs").get(0).path("mac_address").asText())
                .isEqualTo(port.path("mac_address").asText());
        assertThat(port.has("binding:host_id")).isFalse();
        assertThat(alice.put("/v2.0/ports/" + portId, map("port", map("security_groups",
                List.of(stateful, stateless)))).errorType()).isEqualTo("SecurityGroupConflict");
        assertThat(alice.delete("/v2.0/security-groups/" + stateful).errorType()).isEqualTo("SecurityGroupInUse");
        assertThat(alice.put("/v2.0/ports/" + portId, map("port", map("port_security_enabled", false)))
                .errorType()).isEqualTo("AddressPairAndPortSecurityRequired");
        assertThat(alice.put("/v2.0/ports/" + portId, map("port", map("port_security_enabled", false,
                "security_groups", List.of(), "allowed_address_pairs", List.of()))).status()).isEqualTo(200);
        assertThat(alice.put("/v2.0/ports/" + portId, map("port", map("security_groups", List.of(stateful))))
                .errorType()).isEqualTo("PortSecurityAndIPRequiredForSecurityGroups");
        Http.Response hostByUser = alice.put("/v2.0/ports/" + portId, map("port", map("binding:host_id", "c1")));
        assertThat(hostByUser.status()).isEqualTo(403);
        Http.Response hostByAdmin = admin.put("/v2.0/ports/" + portId, map("port", map("binding:host_id", "c1")));
        assertThat(hostByAdmin.json().path("port").path("binding:host_id").asText()).isEqualTo("c1");
        assertThat(alice.post("/v2.0/ports", map("port", map("network_id", net, "fixed_ips",
                List.of(map("ip_address", "10.9.0.2"))))).errorType()).isEqualTo("IpAddressAlreadyAllocated");
        assertThat(bob.post("/v2.0/ports", map("port", map("network_id", net))).errorType())
                .isEqualTo("NetworkNotFound");
        assertThat(alice.delete("/v2.0/ports/" + portId).status()).isEqualTo(204);
        assertThat(alice.delete("/v2.0/security-groups/" + stateful).status()).isEqualTo(204);
    }

    @Test
    void everyResponseCarriesARequestIdAndOperationsEndpointsAnswer() {
        Http.Response ok = alice.get("/v2.0/security-groups");
        Http.Response err = alice.get("/v2.0/foobars");
        assertThat(ok.header("X-Openstack-Request-Id")).matches("req-[0-9a-f-]{36}");
        assertThat(err.header("X-Openstack-Request-Id")).matches("req-[0-9a-f-]{36}");
        assertThat(err.errorType()).isEqualTo("HTTPNotFound");
        assertThat(alice.get("/healthz").json().path("status").asText()).isEqualTo("ok");
        String metrics = alice.get("/metrics").text();
        assertThat(metrics).contains("tapguard_http_requests_total{method=\"GET\",route=\"/v2.0/security-groups\"")
                .contains("tapguard_http_request_duration_seconds").contains("tapguard_db_pool_connections");
        assertThat(alice.get("/v2.0/extensions").json().path("extensions").toString()).contains("\"security-group\"");
    }

    @Test
    void quotasLimitGroupsAndRules() {
        Http p = Http.noauth(serverUrl(), UUID.randomUUID().toString(), "member,reader");
        String project = p.get("/v2.0/security-groups").json().path("security_groups").get(0).path("project_id")
                .asText();
        assertThat(admin.put("/v2.0/quotas/" + project, map("quota", map("security_group", 2))).status())
                .isEqualTo(200);
        group(p, "one");
        Http.Response over = p.post("/v2.0/security-groups", map("security_group", map("name", "two")));
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.errorType()).isEqualTo("OverQuota");
        assertThat(admin.put("/v2.0/quotas/" + project, map("quota", map("security_group", -2))).status())
                .isEqualTo(400);
        assertThat(p.put("/v2.0/quotas/" + project, map("quota", map("security_group", 5))).status())
                .isEqualTo(403);
        assertThat(p.get("/v2.0/quotas/" + project).json().path("quota").path("security_group").asInt())
                .isEqualTo(2);
    }
}
