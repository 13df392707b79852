package dev.tapguard.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Json;
import java.util.List;
import java.util.Map;

/**
 * One API call as the resources see it: who asks, the query parameters (in order, repeated keys kept), the raw
 * body, and the request's own URL (for pagination links).
 *
 * @param selfUrl scheme://host/path of the request, without the query
 * @param rawQuery the query string as sent (null when none)
 * @param requestId the X-Openstack-Request-Id this call answers with (for log lines about it)
 */
public record ApiRequest(RequestContext ctx, List<Map.Entry<String, String>> query, byte[] body, String selfUrl,
                         String rootUrl, String rawQuery, String ifMatch, String requestId) {

    public List<String> params(String name) {
        return query.stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue).toList();
    }

    public String param(String name) {
        return query.stream().filter(e -> e.getKey().equals(name)).map(Map.Entry::getValue).findFirst()
                .orElse(null);
    }

    /** The body as JSON; invalid JSON is Neutron's MalformedRequestBody, an empty body is JSON null. */
    public JsonNode json() {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            return n == null || n.isMissingNode() ? null : n;
        } catch (JsonProcessingException e) {
            throw new NeutronException(NeutronErrorType.MalformedRequestBody,
                    "Malformed request body: Cannot understand JSON.");
        } catch (java.io.IOException e) {
            throw new NeutronException(NeutronErrorType.MalformedRequestBody,
                    "Malformed request body: Cannot understand JSON.");
        }
    }
}
