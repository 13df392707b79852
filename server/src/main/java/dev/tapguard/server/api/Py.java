package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** How Python's str() prints a JSON value, for Neutron's messages. */
public final class Py {
    private Py() {
    }

    public static String str(JsonNode n) {
        if (n == null || n.isNull()) {
            return "None";
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? "True" : "False";
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(x -> parts.add(repr(x)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (n.isObject()) {
            List<String> parts = new ArrayList<>();
            n.fields().forEachRemaining(e -> parts.add("'" + e.getKey() + "': " + repr(e.getValue())));
            return "{" + String.join(", ", parts) + "}";
        }
        return n.asText();
    }

    public static String repr(JsonNode n) {
        return n != null && n.isTextual() ? "'" + n.asText() + "'" : str(n);
    }

    /** A Java value the way Neutron's converters see it (for the model's validator). */
    public static Object value(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.bigIntegerValue().toString();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return str(n);
    }
}
