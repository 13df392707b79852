package dev.tapguard.server;

import static dev.tapguard.server.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The server logs the model lint's findings about a rule when it is created (single and bulk), with the request
 * id, group, rule, code and message; the API's answer stays Neutron's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreatedRulesAreLintedInTheLogTest {
    private TestStores.Store store;
    private TapguardServer server;
    private Http alice;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger lintLogger = (Logger) LoggerFactory.getLogger("dev.tapguard.server.lint");

    @BeforeAll
    void start() {
        store = TestStores.h2();
        server = TapguardServer.start(ServerConfig.noauth(store.url()));
        alice = Http.noauth(server.url(), UUID.randomUUID().toString().replace("-", ""), "member,reader");
        log.start();
        lintLogger.addAppender(log);
    }

    @AfterAll
    void stop() {
        lintLogger.detachAppender(log);
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @BeforeEach
    void clear() {
        log.list.clear();
    }

    private String group(String name) {
        Http.Response r = alice.post("/v2.0/security-groups", map("security_group", map("name", name)));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json().path("security_group").path("id").asText();
    }

    private static String requestId(Http.Response r) {
        return r.header("X-Openstack-Request-Id");
    }

    private List<ILoggingEvent> events() {
        return new ArrayList<>(log.list);
    }

    @Test
    void protocol94IsLoggedAsBeetWithRequestGroupAndRule() {
        String g = group("tunnels");
        Http.Response r = alice.post("/v2.0/security-group-rules", map("security_group_rule",
                map("security_group_id", g, "direction", "ingress", "protocol", "94",
                        "remote_ip_prefix", "192.0.2.0/24")));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode rule = r.json().path("security_group_rule");
        // Neutron's answer, nothing added
        List<String> keys = new ArrayList<>();
        rule.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyInAnyOrder("id", "security_group_id", "remote_group_id", "direction",
                "protocol", "port_range_min", "port_range_max", "ethertype", "remote_ip_prefix", "tenant_id",
                "remote_address_group_id", "normalized_cidr", "description", "revision_number", "created_at",
                "updated_at", "project_id");
        assertThat(r.json().size()).isEqualTo(1);
        String ruleId = rule.path("id").asText();
        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage())
                    .startsWith(r.header("X-Openstack-Request-Id") + " security group " + g + " rule " + ruleId
                            + ": PROTOCOL_94_IS_BEET ")
                    .contains("Linux uses 94 for BEET; IP-in-IP is 4");
        });
    }

    @Test
    void bulkCreatesLogEachRulesFindingsAndCleanRulesLogNothing() {
        String g = group("web");
        Http.Response r = alice.post("/v2.0/security-group-rules", map("security_group_rules", List.of(
                map("security_group_id", g, "direction", "ingress", "protocol", "tcp", "port_range_min", 80,
                        "port_range_max", 80, "remote_ip_prefix", "10.0.0.0/8"),
                map("security_group_id", g, "direction", "ingress", "protocol", "tcp", "port_range_min", 22,
                        "port_range_max", 22),
                map("security_group_id", g, "direction", "ingress", "protocol", "tcp", "port_range_min", 8000,
                        "port_range_max", 8100, "remote_ip_prefix", "10.0.0.0/8"),
                map("security_group_id", g, "direction", "ingress", "protocol", "tcp", "port_range_min", 8080,
                        "port_range_max", 8080, "remote_ip_prefix", "10.1.0.0/16"))));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        JsonNode rules = r.json().path("security_group_rules");
        String requestId = r.header("X-Openstack-Request-Id");
        String ssh = rules.get(1).path("id").asText();
        String wide = rules.get(2).path("id").asText();
        String narrow = rules.get(3).path("id").asText();
        assertThat(events()).extracting(e -> e.getLevel() + " " + e.getFormattedMessage().replaceAll(": .*", ""))
                .containsExactlyInAnyOrder(
                        "WARN " + requestId + " security group " + g + " rule " + ssh,
                        // about the narrow rule, naming the wide one; logged once though both are new
                        "INFO " + requestId + " security group " + g + " rule " + narrow);
        assertThat(events()).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
                .contains("SENSITIVE_PORT_OPEN").contains("22 (SSH) open to every IPv4 address (0.0.0.0/0)"));
        assertThat(events()).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(m -> assertThat(m)
                .contains("SHADOWED_RULE").contains("shadowed by rule " + wide));
        assertThat(events()).extracting(ILoggingEvent::getFormattedMessage).allSatisfy(m -> assertThat(m)
                .doesNotContain(rules.get(0).path("id").asText()));

        // a new rule that shadows existing ones: the findings are about the old rules and name the new one (the
        // narrow rule stays reported against the wide one, which came first)
        log.list.clear();
        Http.Response all = alice.post("/v2.0/security-group-rules", map("security_group_rule",
                map("security_group_id", g, "direction", "ingress", "protocol", "tcp", "port_range_min", 1,
                        "port_range_max", 65535, "remote_ip_prefix", "10.0.0.0/8")));
        String allId = all.json().path("security_group_rule").path("id").asText();
        assertThat(events()).extracting(e -> e.getFormattedMessage().replaceAll(": SHADOWED_RULE .*shadowed by rule ",
                " by ").replaceAll(" \\(.*", "")).containsExactlyInAnyOrder(
                        requestId(all) + " security group " + g + " rule " + rules.get(0).path("id").asText() + " by "
                                + allId,
                        requestId(all) + " security group " + g + " rule " + wide + " by " + allId);

        log.list.clear();
        Http.Response clean = alice.post("/v2.0/security-group-rules", map("security_group_rule",
                map("security_group_id", g, "direction", "ingress", "protocol", "udp", "port_range_min", 53,
                        "port_range_max", 53, "remote_ip_prefix", "10.0.0.0/8")));
        assertThat(clean.status()).as(clean.text()).isEqualTo(201);
        assertThat(events()).isEmpty();
    }

    @Test
    void aRefusedCreateLogsNoFinding() {
        String g = group("dup");
        Object body = map("security_group_rule", map("security_group_id", g, "direction", "ingress",
                "protocol", "94"));
        assertThat(alice.post("/v2.0/security-group-rules", body).status()).isEqualTo(201);
        log.list.clear();
        Http.Response again = alice.post("/v2.0/security-group-rules", body);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorType()).isEqualTo("SecurityGroupRuleExists");
        assertThat(events()).isEmpty();
    }
}
