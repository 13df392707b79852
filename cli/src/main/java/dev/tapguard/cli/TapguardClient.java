package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads Tapguard's (Neutron's) API: ports ({@code GET /v2.0/ports/{id}}, {@code binding:host_id}), security groups,
 * and a host's view from the change feed ({@code GET /v2.0/tapguard/hosts/{host}/view}). Authenticates with a token
 * (X-Auth-Token), or in noauth mode with X-Project-Id and X-Roles headers.
 */
final class TapguardClient {

    /** The server answered with an error (its NeutronError message), or could not be reached. */
    static final class RemoteException extends Exception {
        private static final long serialVersionUID = 1L;

        RemoteException(String message) {
            super(message);
        }
    }

    private final String base;
    private final String token;
    private final String projectId;
    private final HttpClient http;

    TapguardClient(String url, String token, String projectId) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
        this.projectId = projectId;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    JsonNode port(String id) throws RemoteException {
        return get("/v2.0/ports/" + enc(id)).path("port");
    }

    JsonNode securityGroup(String id) throws RemoteException {
        return get("/v2.0/security-groups/" + enc(id));
    }

    JsonNode securityGroups(String projectId) throws RemoteException {
        return get("/v2.0/security-groups" + (projectId == null ? "" : "?project_id=" + enc(projectId)));
    }

    /** The host's view, as the agent receives it from the change feed. */
    HostInput hostView(String host) throws RemoteException {
        String body = getText("/v2.0/tapguard/hosts/" + enc(host) + "/view");
        try {
            return HostDocuments.read(body);
        } catch (RuntimeException e) {
            throw new RemoteException("the view of host " + host + " is not a host document: " + e.getMessage());
        }
    }

    /** The view of the host a port is bound to. */
    HostInput viewOfPort(String portId) throws RemoteException {
        JsonNode port = port(portId);
        String host = port.path("binding:host_id").asText("");
        if (host.isEmpty()) {
            throw new RemoteException("port " + portId + " is not bound to a host (binding:host_id is empty)");
        }
        return hostView(host);
    }

    private JsonNode get(String path) throws RemoteException {
        String body = getText(path);
        try {
            return HostDocuments.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new RemoteException("GET " + path + ": the answer is not JSON");
        }
    }

    private String getText(String path) throws RemoteException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json").GET();
        if (token != null && !token.isEmpty()) {
            b.header("X-Auth-Token", token);
        } else {
            // noauth: without a project the caller is an admin with no project, as in Neutron's noauth
            b.header("X-Roles", "admin");
            if (projectId != null) {
                b.header("X-Project-Id", projectId);
            }
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RemoteException("GET " + base + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("GET " + base + path + ": interrupted");
        } catch (IllegalArgumentException e) {
            throw new RemoteException("bad server URL '" + base + "': " + e.getMessage());
        }
        if (r.statusCode() / 100 != 2) {
            throw new RemoteException("GET " + path + ": HTTP " + r.statusCode() + neutronError(r.body()));
        }
        return r.body();
    }

    private static String neutronError(String body) {
        try {
            JsonNode e = HostDocuments.MAPPER.readTree(body).path("NeutronError");
            if (e.isObject()) {
                return " " + e.path("type").asText() + ": " + e.path("message").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status says enough
        }
        return "";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
