package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Writes and reads Neutron's v2.0 API as the {@code openstack} CLI does, over HTTP, in noauth mode: an admin of one
 * project ({@code X-Project-Id}, {@code X-Roles: admin,member,reader}), which may also bind ports to hosts and set
 * provider attributes. Used by the demo (and its tests) to build networks, ports, groups and rules.
 */
final class NeutronClient {

    /** An error answer (its status and NeutronError), or no answer. */
    static final class ApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final String base;
    private final String projectId;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    NeutronClient(String url, String projectId) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.projectId = projectId;
    }

    String url() {
        return base;
    }

    String projectId() {
        return projectId;
    }

    /** A client for another project of the same server. */
    NeutronClient forProject(String otherProject) {
        return new NeutronClient(base, otherProject);
    }

    JsonNode get(String path) {
        return send("GET", path, null).body;
    }

    /** POST {@code {"<resource>": body}} to {@code /v2.0/<resource>s}; the created object. */
    JsonNode create(String resource, ObjectNode body) {
        ObjectNode doc = HostDocuments.MAPPER.createObjectNode();
        doc.set(resource, body);
        String collection = resource.replace('_', '-') + "s";
        return send("POST", "/v2.0/" + collection, doc).body.get(resource);
    }

    JsonNode update(String resource, String id, ObjectNode body) {
        ObjectNode doc = HostDocuments.MAPPER.createObjectNode();
        doc.set(resource, body);
        return send("PUT", "/v2.0/" + resource.replace('_', '-') + "s/" + id, doc).body.get(resource);
    }

    void delete(String resource, String id) {
        send("DELETE", "/v2.0/" + resource.replace('_', '-') + "s/" + id, null);
    }

    static ObjectNode object() {
        return HostDocuments.MAPPER.createObjectNode();
    }

    /** A VLAN provider network on a physical network. */
    JsonNode vlanNetwork(String name, String physnet, int vlan) {
        return create("network", object().put("name", name).put("provider:network_type", "vlan")
                .put("provider:physical_network", physnet).put("provider:segmentation_id", vlan));
    }

    JsonNode subnet(String networkId, String cidr) {
        ObjectNode s = object().put("network_id", networkId).put("cidr", cidr)
                .put("ip_version", cidr.contains(":") ? 6 : 4);
        s.putNull("gateway_ip");
        return create("subnet", s);
    }

    /** The project's default group (Neutron creates it on first use, with its four rules). */
    JsonNode defaultGroup() {
        get("/v2.0/security-groups?name=default&project_id=" + projectId);
        for (JsonNode g : get("/v2.0/security-groups?project_id=" + projectId).path("security_groups")) {
            if ("default".equals(g.path("name").asText())) {
                return g;
            }
        }
        throw new ApiException(404, "project " + projectId + " has no default security group");
    }

    JsonNode group(String name) {
        return create("security_group", object().put("name", name));
    }

    /**
     * A rule: {@code protocol}, ports and remote may be null; {@code remote} is a prefix (with '/') or a remote
     * group id.
     */
    JsonNode rule(String groupId, String direction, String ethertype, String protocol, Integer min, Integer max,
                  String remote) {
        ObjectNode r = object().put("security_group_id", groupId).put("direction", direction)
                .put("ethertype", ethertype);
        if (protocol != null) {
            r.put("protocol", protocol);
        }
        if (min != null) {
            r.put("port_range_min", min);
        }
        if (max != null) {
            r.put("port_range_max", max);
        }
        if (remote != null) {
            r.put(remote.contains("/") ? "remote_ip_prefix" : "remote_group_id", remote);
        }
        return create("security_group_rule", r);
    }

    /** Deletes every rule of a group (a new group comes with two egress rules). */
    void clearRules(String groupId) {
        for (JsonNode r : get("/v2.0/security-group-rules?security_group_id=" + groupId)
                .path("security_group_rules")) {
            delete("security_group_rule", r.get("id").asText());
        }
    }

    /** A port with these addresses, groups and MAC, bound to {@code host}. */
    JsonNode port(String name, String networkId, String mac, java.util.List<String> ips, java.util.List<String> groups,
                  String host) {
        ObjectNode p = object().put("name", name).put("network_id", networkId).put("binding:host_id", host);
        if (mac != null) {
            p.put("mac_address", mac);
        }
        var fixed = p.putArray("fixed_ips");
        ips.forEach(ip -> fixed.addObject().put("ip_address", ip));
        var sgs = p.putArray("security_groups");
        groups.forEach(sgs::add);
        return create("port", p);
    }

    /** The server's current revision (every write bumps it), from the change feed's header. */
    long revision(String host) {
        Answer a = send("GET", "/v2.0/tapguard/hosts/" + host + "/view", null);
        return Long.parseLong(a.revision);
    }

    private record Answer(JsonNode body, String revision) {
    }

    private Answer send(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json").header("X-Project-Id", projectId)
                .header("X-Roles", "admin,member,reader");
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiException(-1, method + " " + base + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(-1, method + " " + base + path + ": interrupted");
        }
        JsonNode json = null;
        if (!r.body().isEmpty()) {
            try {
                json = HostDocuments.MAPPER.readTree(r.body());
            } catch (IOException e) {
                json = null;
            }
        }
        if (r.statusCode() / 100 != 2) {
            JsonNode e = json == null ? null : json.path("NeutronError");
            String why = e != null && e.isObject() ? e.path("type").asText() + ": " + e.path("message").asText()
                    : r.body();
            throw new ApiException(r.statusCode(), method + " " + path + ": HTTP " + r.statusCode() + " " + why);
        }
        return new Answer(json, r.headers().firstValue("X-Tapguard-Revision").orElse("-1"));
    }
}
