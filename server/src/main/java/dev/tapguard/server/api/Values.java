package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.server.http.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Neutron's attribute converters and validators, with their messages ("Invalid input for X. Reason: ..."). */
public final class Values {
    private Values() {
    }

    private static final Pattern UUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");
    private static final Pattern MAC = Pattern.compile("^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$");
    private static final Set<String> TRUE = Set.of("true", "1", "t", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "0", "f", "no", "n", "off");

    public static boolean isUuid(String s) {
        return s != null && UUID.matcher(s).matches();
    }

    private static RuntimeException invalid(String attr, String reason) {
        return Errors.badRequest("Invalid input for " + attr + ". Reason: " + reason + ".");
    }

    /** {@code type:string} with a maximum length; absent gives {@code dflt}. */
    public static String string(ObjectNode d, String attr, int max, String dflt) {
        JsonNode n = d.get(attr);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw invalid(attr, "'" + Py.str(n) + "' is not a valid string");
        }
        String s = n.asText();
        if (s.length() > max) {
            throw invalid(attr, "'" + s + "' exceeds maximum length of " + max);
        }
        return s;
    }

    /** {@code type:string_or_none}. */
    public static String stringOrNull(ObjectNode d, String attr, int max, String dflt) {
        JsonNode n = d.get(attr);
        if (n != null && n.isNull()) {
            return null;
        }
        return string(d, attr, max, dflt);
    }

    /** {@code convert_to_boolean}: booleans, 0/1 and the usual words; anything else is InvalidInput. */
    public static Boolean bool(ObjectNode d, String attr, Boolean dflt) {
        JsonNode n = d.get(attr);
        if (n == null) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && (n.asLong() == 0 || n.asLong() == 1)) {
            return n.asLong() == 1;
        }
        if (n.isTextual()) {
            String l = n.asText().strip().toLowerCase(Locale.ROOT);
            if (TRUE.contains(l)) {
                return true;
            }
            if (FALSE.contains(l)) {
                return false;
            }
        }
        throw Errors.invalidInput("'" + Py.str(n) + "' cannot be converted to boolean");
    }

    /** {@code convert_to_int} then a range check. */
    public static Integer integer(ObjectNode d, String attr, long min, long max, Integer dflt) {
        JsonNode n = d.get(attr);
        if (n == null || n.isNull()) {
            return dflt;
        }
        long v;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            v = n.asLong();
        } else if (n.isTextual() && n.asText().strip().matches("[+-]?\\d{1,18}")) {
            v = Long.parseLong(n.asText().strip());
        } else if (n.isBoolean()) {
            v = n.booleanValue() ? 1 : 0;
        } else {
            throw Errors.invalidInput("'" + Py.str(n) + "' is not an integer");
        }
        if (v < min) {
            throw invalid(attr, "'" + v + "' is too small - must be at least '" + min + "'");
        }
        if (v > max) {
            throw invalid(attr, "'" + v + "' is too large - must be no larger than '" + max + "'");
        }
        return (int) v;
    }

    /** {@code type:uuid_list} after {@code convert_to_list}: no duplicates. */
    public static List<String> uuidList(ObjectNode d, String attr) {
        JsonNode n = d.get(attr);
        if (n == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            if (n.isTextual()) {
                out.add(n.asText());
                return out;
            }
            throw invalid(attr, "'" + Py.str(n) + "' is not a list");
        }
        Set<String> seen = new HashSet<>();
        List<String> dups = new ArrayList<>();
        for (JsonNode x : n) {
            String s = x.isTextual() ? x.asText() : Py.str(x);
            if (!seen.add(s)) {
                dups.add(s);
            }
            out.add(s);
        }
        if (!dups.isEmpty()) {
            throw invalid(attr, "Duplicate items in the list: '" + String.join(", ", dups) + "'");
        }
        return out;
    }

    /** {@code type:mac_address}, normalised to lower case with colons. */
    public static String mac(JsonNode n, String attr) {
        if (n == null || !n.isTextual() || !MAC.matcher(n.asText()).matches()) {
            throw invalid(attr, "'" + Py.str(n) + "' is not a valid MAC address");
        }
        String m = n.asText().toLowerCase(Locale.ROOT).replace('-', ':');
        if (m.equals("00:00:00:00:00:00") || m.equals("ff:ff:ff:ff:ff:ff")) {
            throw invalid(attr, "'" + n.asText() + "' is not a valid MAC address");
        }
        return m;
    }

    public static RuntimeException invalidReason(String attr, String reason) {
        return invalid(attr, reason);
    }
}
