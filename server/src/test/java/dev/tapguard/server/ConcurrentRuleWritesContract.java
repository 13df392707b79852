package dev.tapguard.server;

import static dev.tapguard.server.Http.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight clients create and delete rules in one group at once, with overlapping ports so that some creations are
 * duplicates of others: no 500, every 201 is a distinct rule, every 409 names a rule that existed, and the final
 * rule set is exactly what the successful calls add up to (nothing lost, nothing twice).
 */
abstract class ConcurrentRuleWritesContract {
    static final int CLIENTS = 8;
    static final int ROUNDS = 40;

    abstract TestStores.Store newStore();

    @Test
    void eightClientsCreatingAndDeletingRulesInOneGroupStayConsistent() throws Exception {
        try (TestStores.Store store = newStore();
             TapguardServer server = TapguardServer.start(ServerConfig.noauth(store.url()))) {
            Http owner = Http.noauth(server.url(), UUID.randomUUID().toString().replace("-", ""), "member,reader");
            String sg = owner.post("/v2.0/security-groups", map("security_group", map("name", "busy"))).json()
                    .path("security_group").path("id").asText();
            Map<String, Integer> alive = new ConcurrentHashMap<>();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        // ports repeat across clients: concurrent duplicates must be refused, not stored twice
                        int p = 1000 + (i * 7 + client) % 60;
                        Http.Response r = owner.post("/v2.0/security-group-rules", map("security_group_rule",
                                map("security_group_id", sg, "direction", "ingress", "protocol", "tcp",
                                        "port_range_min", p, "port_range_max", p)));
                        if (r.status() == 201) {
                            String id = r.json().path("security_group_rule").path("id").asText();
                            if (alive.put(id, p) != null) {
                                problems.add("id handed out twice: " + id);
                            }
                            if (i % 3 == 0) {
                                Http.Response d = owner.delete("/v2.0/security-group-rules/" + id);
                                if (d.status() == 204) {
                                    alive.remove(id);
                                } else {
                                    problems.add("delete " + id + " -> " + d.status() + " " + d.text());
                                }
                            }
                        } else if (r.status() != 409 || !"SecurityGroupRuleExists".equals(r.errorType())) {
                            problems.add("create -> " + r.status() + " " + r.text());
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(problems).isEmpty();
            JsonNode rules = owner.get("/v2.0/security-group-rules?security_group_id=" + sg + "&direction=ingress")
                    .json().path("security_group_rules");
            Set<String> ids = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (JsonNode r : rules) {
                ids.add(r.path("id").asText());
                assertThat(ports.add(r.path("port_range_min").asInt())).as("one rule per port").isTrue();
            }
            assertThat(ids).isEqualTo(alive.keySet());
            assertThat(ports).isEqualTo(new HashSet<>(alive.values()));
            JsonNode group = owner.get("/v2.0/security-groups/" + sg).json().path("security_group");
            assertThat(group.path("security_group_rules")).hasSize(alive.size() + 2);
        }
    }
}
