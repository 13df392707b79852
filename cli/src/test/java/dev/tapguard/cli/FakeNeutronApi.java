package dev.tapguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test double of Tapguard's API for the CLI's client, on 127.0.0.1 (port chosen by the kernel): the Neutron
 * resources the client reads (ports with binding:host_id, security groups) and the change feed's host view
 * (docs FEED.md). It records the headers of each request. Not the real server (that lives in the server module).
 */
final class FakeNeutronApi implements AutoCloseable {
    final HttpServer http;
    final HostView view;
    final List<String> requests = new ArrayList<>();

    FakeNeutronApi(HostView view) throws IOException {
        this.view = view;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/v2.0/", this::handle);
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getQuery();
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " token=" + ex.getRequestHeaders()
                .getFirst("X-Auth-Token") + " roles=" + ex.getRequestHeaders().getFirst("X-Roles"));
        if (path.startsWith("/v2.0/ports/")) {
            String id = path.substring("/v2.0/ports/".length());
            for (Port p : view.ports()) {
                if (p.id().equals(id)) {
                    ObjectNode o = HostDocuments.MAPPER.createObjectNode();
                    o.putObject("port").put("id", id).put("binding:host_id", view.host())
                            .put("network_id", p.networkId()).put("mac_address", p.macAddress());
                    send(ex, 200, o.toString());
                    return;
                }
            }
            send(ex, 404, "{\"NeutronError\": {\"type\": \"PortNotFound\", \"message\": \"Port " + id
                    + " could not be found.\", \"detail\": \"\"}}");
        } else if (path.equals("/v2.0/tapguard/hosts/" + view.host() + "/view")) {
            ex.getResponseHeaders().add("X-Tapguard-Revision", String.valueOf(view.revision()));
            send(ex, 200, HostDocuments.write(view).toString());
        } else if (path.equals("/v2.0/security-groups")) {
            ObjectNode o = HostDocuments.MAPPER.createObjectNode();
            ArrayNode a = o.putArray("security_groups");
            for (SecurityGroup g : view.securityGroups().values()) {
                if (query == null || query.equals("project_id=" + g.projectId())) {
                    a.add(group(g));
                }
            }
            send(ex, 200, o.toString());
        } else if (path.startsWith("/v2.0/security-groups/")) {
            SecurityGroup g = view.group(path.substring("/v2.0/security-groups/".length()));
            if (g == null) {
                send(ex, 404, "{\"NeutronError\": {\"type\": \"SecurityGroupNotFound\", \"message\": \"not found\"}}");
                return;
            }
            ObjectNode o = HostDocuments.MAPPER.createObjectNode();
            o.set("security_group", group(g));
            send(ex, 200, o.toString());
        } else {
            send(ex, 404, "{\"NeutronError\": {\"type\": \"HTTPNotFound\", \"message\": \"no such resource\"}}");
        }
    }

    private static ObjectNode group(SecurityGroup g) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        o.put("id", g.id()).put("name", g.name()).put("project_id", g.projectId()).put("stateful", g.stateful());
        ArrayNode rules = o.putArray("security_group_rules");
        for (SecurityGroupRule r : g.rules()) {
            ObjectNode x = rules.addObject().put("id", r.id()).put("direction", r.direction().wire())
                    .put("ethertype", r.ethertype().name()).put("protocol", r.protocol());
            if (r.portRangeMin() != null) {
                x.put("port_range_min", r.portRangeMin());
            } else {
                x.putNull("port_range_min");
            }
            if (r.portRangeMax() != null) {
                x.put("port_range_max", r.portRangeMax());
            } else {
                x.putNull("port_range_max");
            }
            x.put("remote_ip_prefix", r.remoteIpPrefix()).put("remote_group_id", r.remoteGroupId());
        }
        return o;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
