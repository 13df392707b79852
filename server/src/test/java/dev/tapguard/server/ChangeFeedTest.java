package dev.tapguard.server;

import static dev.tapguard.server.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.model.HostView;
import dev.tapguard.wire.HostDocuments;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The agents' change feed: who may read it, what a host's view holds, and the long poll. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeFeedTest {
    private TestStores.Store store;
    private TapguardServer server;
    private Http admin;
    private Http member;
    private String web;
    private String db;
    private String net;
    private String local;

    @BeforeAll
    void start() {
        store = TestStores.h2();
        server = TapguardServer.start(ServerConfig.noauth(store.url()));
        String project = UUID.randomUUID().toString().replace("-", "");
        admin = Http.noauth(server.url(), project, "admin");
        member = Http.noauth(server.url(), project, "member,reader");
        net = admin.post("/v2.0/networks", map("network", map("name", "vlan100", "provider:network_type", "vlan",
                "provider:physical_network", "physnet1", "provider:segmentation_id", 100))).json().path("network")
                .path("id").asText();
        admin.post("/v2.0/subnets", map("subnet", map("network_id", net, "cidr", "10.5.0.0/24", "ip_version", 4)));
        web = group("web");
        db = group("db");
        rule(web, map("protocol", "tcp", "port_range_min", 22, "port_range_max", 22));
        rule(web, map("protocol", "tcp", "port_range_min", 5432, "port_range_max", 5432, "remote_group_id", db));
        local = admin.post("/v2.0/ports", map("port", map("network_id", net, "security_groups", List.of(web),
                "binding:host_id", "compute-1", "fixed_ips", List.of(map("ip_address", "10.5.0.10"))))).json()
                .path("port").path("id").asText();
        admin.post("/v2.0/ports", map("port", map("network_id", net, "security_groups", List.of(db),
                "binding:host_id", "compute-2", "fixed_ips", List.of(map("ip_address", "10.5.0.20")),
                "allowed_address_pairs", List.of(map("ip_address", "10.6.0.0/24")))));
    }

    @AfterAll
    void stop() {
        server.close();
        store.close();
    }

    private String group(String name) {
        return admin.post("/v2.0/security-groups", map("security_group", map("name", name))).json()
                .path("security_group").path("id").asText();
    }

    private void rule(String sg, java.util.Map<String, Object> extra) {
        java.util.Map<String, Object> r = map("security_group_id", sg, "direction", "ingress");
        r.putAll(extra);
        Http.Response resp = admin.post("/v2.0/security-group-rules", map("security_group_rule", r));
        assertThat(resp.status()).as(resp.text()).isEqualTo(201);
    }

    @Test
    void onlyAdminsAndServicesMayReadTheFeed() {
        Http.Response r = member.get("/v2.0/tapguard/hosts/compute-1/view");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorType()).isEqualTo("PolicyNotAuthorized");
        Http service = Http.noauth(server.url(), "agents", "service");
        assertThat(service.get("/v2.0/tapguard/hosts/compute-1/view").status()).isEqualTo(200);
    }

    @Test
    void aHostsViewHoldsItsPortsTheirGroupsAndTheMembersOfRemoteGroups() {
        Http.Response r = admin.get("/v2.0/tapguard/hosts/compute-1/view");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(r.header("X-Tapguard-Revision")).isEqualTo(doc.path("revision").asText());
        assertThat(doc.path("host").asText()).isEqualTo("compute-1");
        assertThat(doc.path("ports")).hasSize(1);
        assertThat(doc.path("ports").get(0).path("id").asText()).isEqualTo(local);
        List<String> ids = new ArrayList<>();
        doc.path("security_groups").forEach(g -> ids.add(g.path("id").asText()));
        assertThat(ids).containsExactly(web, db);
        JsonNode webDoc = doc.path("security_groups").get(0);
        assertThat(webDoc.path("rules").toString()).contains("\"port_range_min\":22").contains(db);
        assertThat(webDoc.path("members").path("IPv4").toString()).isEqualTo("[\"10.5.0.10\"]");
        JsonNode dbDoc = doc.path("security_groups").get(1);
        assertThat(dbDoc.path("members").path("IPv4").toString()).isEqualTo("[\"10.5.0.20\",\"10.6.0.0/24\"]");
        assertThat(doc.path("networks").get(0).path("provider:segmentation_id").asInt()).isEqualTo(100);
        HostView v = HostDocuments.read(doc).view();
        assertThat(v.ports()).hasSize(1);
        assertThat(v.membersOf(db)).containsExactly("10.5.0.20", "10.6.0.0/24");
        assertThat(admin.get("/v2.0/tapguard/hosts/nowhere/view").json().path("ports")).isEmpty();
    }

    @Test
    void aCurrentRevisionWaitsAndTimesOutWith304() {
        String rev = admin.get("/v2.0/tapguard/hosts/compute-1/view").header("X-Tapguard-Revision");
        Http.Response r = admin.get("/v2.0/tapguard/hosts/compute-1/view?since=" + rev + "&wait=1");
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.header("X-Tapguard-Revision")).isEqualTo(rev);
        assertThat(admin.get("/v2.0/tapguard/hosts/compute-1/view?since=1&wait=30").status()).isEqualTo(200);
    }

    @Test
    void aWriteWakesTheLongPollWithTheNewView() throws Exception {
        String rev = admin.get("/v2.0/tapguard/hosts/compute-1/view").header("X-Tapguard-Revision");
        CompletableFuture<Http.Response> poll = CompletableFuture.supplyAsync(
                () -> admin.get("/v2.0/tapguard/hosts/compute-1/view?since=" + rev + "&wait=55"));
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> server.database().watch().waiting() > 0);
        rule(web, map("protocol", "udp", "port_range_min", 53, "port_range_max", 53));
        Http.Response r = poll.get(20, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(Long.parseLong(r.header("X-Tapguard-Revision"))).isGreaterThan(Long.parseLong(rev));
        assertThat(r.json().path("security_groups").get(0).path("rules").toString()).contains("\"port_range_min\":53");
        assertThat(admin.get("/v2.0/tapguard/hosts/compute-1/view?since=abc").status()).isEqualTo(400);
    }
}
