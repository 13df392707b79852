package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The real Tapguard server (H2 in a temp dir, noauth, 127.0.0.1 on a free port) holding the article's mistake, made
 * through the Neutron API as an operator would: a VLAN 102 network on physnet1, a group "tunnels" allowing SSH,
 * echo and protocol 94 from anywhere (plus Neutron's two egress rules), a port with it bound to compute-tgd2 and
 * an unbound port.
 */
final class TunnelsOnServer implements AutoCloseable {
    static final String HOST = "compute-tgd2";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final TapguardServer server;
    final String project = UUID.randomUUID().toString().replace("-", "");
    final String group;
    final String port;
    final String unbound;
    /** Rule ids by name: ssh, 94, echo. */
    final Map<String, String> rules = new HashMap<>();
    private final Path dbDir;

    TunnelsOnServer() throws IOException {
        dbDir = Files.createTempDirectory("tgd2-cli-h2-");
        TapguardServer s = null;
        try {
            s = TapguardServer.start(ServerConfig.noauth("jdbc:h2:file:" + dbDir.resolve("tapguard")));
            server = s;
            String net = post("/v2.0/networks", Map.of("network", Map.of("name", "tunnels",
                    "provider:network_type", "vlan", "provider:physical_network", "physnet1",
                    "provider:segmentation_id", 102))).path("network").path("id").asText();
            post("/v2.0/subnets", Map.of("subnet", Map.of("network_id", net, "cidr", "10.3.0.0/24",
                    "ip_version", 4)));
            group = post("/v2.0/security-groups", Map.of("security_group", Map.of("name", "tunnels")))
                    .path("security_group").path("id").asText();
            rule("ssh", Map.of("protocol", "tcp", "port_range_min", 22, "port_range_max", 22));
            rule("94", Map.of("protocol", "94"));
            rule("echo", Map.of("protocol", "icmp", "port_range_min", 8));
            port = post("/v2.0/ports", Map.of("port", Map.of("network_id", net, "security_groups", List.of(group),
                    "binding:host_id", HOST, "device_owner", "compute:nova",
                    "fixed_ips", List.of(Map.of("ip_address", "10.3.0.5"))))).path("port").path("id").asText();
            unbound = post("/v2.0/ports", Map.of("port", Map.of("network_id", net))).path("port").path("id")
                    .asText();
        } catch (RuntimeException | Error e) {
            if (s != null) {
                s.close();
            }
            deleteDb();
            throw e;
        }
    }

    String url() {
        return server.url();
    }

    /** The host's view from the change feed, as the agent receives it. */
    String hostView() {
        return send(HttpRequest.newBuilder(URI.create(url() + "/v2.0/tapguard/hosts/" + HOST + "/view"))
                .header("X-Roles", "admin").GET(), 200).toString();
    }

    /** A write as the project's admin (provider attributes and binding:host_id are admin-only). */
    private JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(url() + path)).header("X-Project-Id", project)
                    .header("X-Roles", "admin").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(HostDocuments.MAPPER.writeValueAsString(body))), 201);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode send(HttpRequest.Builder b, int status) {
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
            return HostDocuments.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void rule(String name, Map<String, Object> attrs) {
        ObjectNode r = HostDocuments.MAPPER.valueToTree(attrs);
        r.put("security_group_id", group).put("direction", "ingress");
        rules.put(name, post("/v2.0/security-group-rules", Map.of("security_group_rule", r))
                .path("security_group_rule").path("id").asText());
    }

    private void deleteDb() throws IOException {
        try (Stream<Path> s = Files.walk(dbDir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            deleteDb();
        }
    }
}
