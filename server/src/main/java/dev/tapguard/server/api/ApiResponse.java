package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** What a resource answers: a status, a JSON body (null for none) and extra headers. */
public record ApiResponse(int status, JsonNode body, Map<String, String> headers, String text) {

    public ApiResponse(int status, JsonNode body, Map<String, String> headers) {
        this(status, body, headers, null);
    }

    /** A plain-text answer (the metrics page). */
    public static ApiResponse text(String contentType, String text) {
        return new ApiResponse(200, null, Map.of("Content-Type", contentType), text);
    }

    public static ApiResponse ok(JsonNode body) {
        return new ApiResponse(200, body, Map.of());
    }

    public static ApiResponse created(JsonNode body) {
        return new ApiResponse(201, body, Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }
}
