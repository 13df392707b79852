package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.SecurityGroupRuleValidator;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Neutron's list semantics over full resource dicts: filters (any listed value matches), {@code fields},
 * {@code sort_key}/{@code sort_dir} (id always breaks ties), {@code limit}/{@code marker}/{@code page_reverse}
 * with {@code <collection>_links}. Errors carry Neutron's messages.
 */
public final class Listing {
    private static final Set<String> RESERVED = Set.of("fields", "sort_key", "sort_dir", "limit", "marker",
            "page_reverse", "changed_since");
    private static final Set<String> TRUE = Set.of("true", "1", "t", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "0", "f", "no", "n", "off");

    private Listing() {
    }

    /** Parsed filters: attribute to the accepted values (converted to what the dicts hold). */
    public record Filters(Map<String, List<String>> values) {
        public List<String> get(String attr) {
            return values.get(attr);
        }

        /** The project a list is about, when the caller filtered by one. */
        public String project() {
            List<String> p = values.getOrDefault("project_id", values.get("tenant_id"));
            return p == null || p.isEmpty() ? null : p.get(0);
        }
    }

    /** Reads and checks the filters (unknown ones are 400 "invalid attribute for filtering"). */
    public static Filters filters(ApiRequest req, ResourceSpec spec) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        for (Map.Entry<String, String> e : req.query()) {
            String k = e.getKey();
            if (RESERVED.contains(k)) {
                continue;
            }
            Attr a = spec.attr(k);
            if (a == null || !a.filter()) {
                if (!invalid.contains(k)) {
                    invalid.add(k);
                }
                continue;
            }
            String key = k.equals("tenant_id") ? "project_id" : k;
            out.computeIfAbsent(key, x -> new ArrayList<>()).add(convert(a, e.getValue()));
        }
        if (!invalid.isEmpty()) {
            throw Errors.badRequest(pyList(invalid) + " is invalid attribute for filtering");
        }
        return new Filters(out);
    }

    private static String convert(Attr a, String v) {
        return switch (a.type()) {
            case BOOL -> {
                String l = v.strip().toLowerCase(Locale.ROOT);
                if (TRUE.contains(l)) {
                    yield "true";
                }
                if (FALSE.contains(l)) {
                    yield "false";
                }
                throw Errors.invalidInput("'" + v + "' cannot be converted to boolean");
            }
            case PORT -> String.valueOf(SecurityGroupRuleValidator.convertPort(v));
            case ETHERTYPE -> {
                Ethertype e = Ethertype.parseOrNull(v);
                yield e == null ? v : e.name();
            }
            default -> v;
        };
    }

    /** Applies filters, sorting, pagination and fields; returns {@code {collection: [...], collection_links?}}. */
    public static ObjectNode respond(ApiRequest req, ResourceSpec spec, List<ObjectNode> items, Filters filters) {
        java.time.Instant since = changedSince(req);
        List<ObjectNode> matched = new ArrayList<>();
        for (ObjectNode item : items) {
            if (matches(item, filters, spec) && (since == null || !java.time.Instant.parse(
                    item.path("updated_at").asText()).isBefore(since))) {
                matched.add(item);
            }
        }
        List<Map.Entry<String, Boolean>> sorts = sorts(req, spec);
        matched.sort(comparator(sorts));
        Integer limit = limit(req);
        String marker = req.param("marker");
        boolean reverse = "true".equalsIgnoreCase(req.param("page_reverse"));
        List<ObjectNode> page = matched;
        if (limit != null) {
            page = paginate(matched, limit, marker, reverse);
        }
        List<String> fields = req.params("fields").stream().filter(f -> !f.isEmpty()).toList();
        ArrayNode arr = Json.array();
        for (ObjectNode item : page) {
            arr.add(select(item, fields));
        }
        ObjectNode out = Json.object();
        out.set(spec.collection(), arr);
        if (limit != null) {
            ArrayNode links = links(req, page, limit, reverse);
            if (!links.isEmpty()) {
                out.set(spec.collection() + "_links", links);
            }
        }
        return out;
    }

    /** {@code fields}: only the named attributes (unknown names are ignored); all when none are named. */
    public static ObjectNode select(ObjectNode item, List<String> fields) {
        if (fields.isEmpty()) {
            return item;
        }
        ObjectNode o = Json.object();
        for (String f : fields) {
            if (item.has(f)) {
                o.set(f, item.get(f));
            }
        }
        return o;
    }

    public static List<String> fields(ApiRequest req) {
        return req.params("fields").stream().filter(f -> !f.isEmpty()).toList();
    }

    static boolean matches(ObjectNode item, Filters filters, ResourceSpec spec) {
        for (Map.Entry<String, List<String>> f : filters.values().entrySet()) {
            JsonNode v = item.get(f.getKey());
            Attr a = spec.attr(f.getKey());
            boolean any = false;
            for (String want : f.getValue()) {
                if (matchesOne(v, want, a == null ? Attr.Type.STRING : a.type())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesOne(JsonNode v, String want, Attr.Type type) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (type == Attr.Type.FIXED_IPS) {
            Map<String, String> crit = new LinkedHashMap<>();
            for (String part : want.split("&")) {
                String[] kv = part.split("=", 2);
                if (kv.length == 2) {
                    crit.put(kv[0], kv[1]);
                }
            }
            for (JsonNode ip : v) {
                boolean all = !crit.isEmpty();
                for (Map.Entry<String, String> c : crit.entrySet()) {
                    if (!c.getValue().equals(ip.path(c.getKey()).asText(null))) {
                        all = false;
                    }
                }
                if (all) {
                    return true;
                }
            }
            return false;
        }
        if (v.isArray()) {
            for (JsonNode x : v) {
                if (want.equals(x.asText())) {
                    return true;
                }
            }
            return false;
        }
        if (v.isBoolean()) {
            return want.equals(v.booleanValue() ? "true" : "false");
        }
        return want.equals(v.asText());
    }

    static List<Map.Entry<String, Boolean>> sorts(ApiRequest req, ResourceSpec spec) {
        List<String> keys = req.params("sort_key").stream().filter(s -> !s.isEmpty()).toList();
        List<String> dirs = req.params("sort_dir").stream().filter(s -> !s.isEmpty()).toList();
        if (keys.size() != dirs.size()) {
            throw Errors.badRequest("The number of sort_keys and sort_dirs must be same");
        }
        List<String> absent = keys.stream().filter(k -> spec.attr(k) == null || !spec.attr(k).sort()).toList();
        if (!absent.isEmpty()) {
            throw Errors.badRequest(pyList(absent) + " is invalid attribute for sort_keys");
        }
        List<String> badDirs = dirs.stream().filter(d -> !d.equals("asc") && !d.equals("desc")).toList();
        if (!badDirs.isEmpty()) {
            throw Errors.badRequest(pyList(badDirs) + " is invalid value for sort_dirs, valid value is 'asc' and "
                    + "'desc'");
        }
        List<Map.Entry<String, Boolean>> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i).equals("tenant_id") ? "project_id" : keys.get(i);
            out.add(Map.entry(k, dirs.get(i).equals("asc")));
        }
        if (out.stream().noneMatch(e -> e.getKey().equals("id"))) {
            out.add(Map.entry("id", true));
        }
        return out;
    }

    private static Comparator<ObjectNode> comparator(List<Map.Entry<String, Boolean>> sorts) {
        Comparator<ObjectNode> c = (a, b) -> 0;
        for (Map.Entry<String, Boolean> s : sorts) {
            Comparator<ObjectNode> one = (a, b) -> compare(a.get(s.getKey()), b.get(s.getKey()));
            c = c.thenComparing(s.getValue() ? one : one.reversed());
        }
        return c;
    }

    /** SQL order: nulls first, numbers by value, booleans false first, the rest as text. */
    private static int compare(JsonNode a, JsonNode b) {
        boolean an = a == null || a.isNull();
        boolean bn = b == null || b.isNull();
        if (an || bn) {
            return an == bn ? 0 : an ? -1 : 1;
        }
        if (a.isNumber() && b.isNumber()) {
            return Long.compare(a.asLong(), b.asLong());
        }
        if (a.isBoolean() && b.isBoolean()) {
            return Boolean.compare(a.booleanValue(), b.booleanValue());
        }
        return a.asText().compareTo(b.asText());
    }

    /** standard-attr-timestamp's {@code changed_since}: objects updated at or after an ISO 8601 time. */
    static java.time.Instant changedSince(ApiRequest req) {
        String raw = req.param("changed_since");
        if (raw == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(raw.strip()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(raw.strip()).toInstant(java.time.ZoneOffset.UTC);
            } catch (java.time.format.DateTimeParseException e2) {
                throw Errors.invalidInput("The specified time " + raw + " is not a valid ISO 8601 timestamp");
            }
        }
    }

    static Integer limit(ApiRequest req) {
        String raw = req.param("limit");
        if (raw == null) {
            return null;
        }
        int limit;
        try {
            limit = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 0) {
            throw new NeutronException(NeutronErrorType.BadRequest,
                    "Bad limit request: Limit must be an integer 0 or greater and not '" + raw + "'.");
        }
        return limit == 0 ? null : limit;
    }

    /** Neutron's pagination: after the marker (a missing marker starts at the beginning), or before it. */
    static List<ObjectNode> paginate(List<ObjectNode> items, int limit, String marker, boolean reverse) {
        int i = -1;
        if (marker != null) {
            for (int k = 0; k < items.size(); k++) {
                if (marker.equals(items.get(k).path("id").asText(null))) {
                    i = k;
                    break;
                }
            }
        }
        if (reverse) {
            int end = i >= 0 ? i : items.size();
            return items.subList(Math.max(end - limit, 0), end);
        }
        int start = i >= 0 ? i + 1 : 0;
        return items.subList(Math.min(start, items.size()), Math.min(start + limit, items.size()));
    }

    private static ArrayNode links(ApiRequest req, List<ObjectNode> page, int limit, boolean reverse) {
        ArrayNode links = Json.array();
        if (!(page.size() < limit && !reverse)) {
            links.addObject().put("rel", "next").put("href", link(req, page.isEmpty() ? null
                    : page.get(page.size() - 1).path("id").asText(), false));
        }
        if (!(page.size() < limit && reverse)) {
            links.addObject().put("rel", "previous").put("href", link(req, page.isEmpty() ? null
                    : page.get(0).path("id").asText(), true));
        }
        return links;
    }

    private static String link(ApiRequest req, String marker, boolean previous) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : req.query()) {
            if (e.getKey().equals("marker") || e.getKey().equals("page_reverse")) {
                continue;
            }
            parts.add(enc(e.getKey()) + "=" + enc(e.getValue()));
        }
        if (marker != null) {
            parts.add("marker=" + enc(marker));
        }
        if (previous) {
            parts.add("page_reverse=True");
        }
        return req.selfUrl() + "?" + String.join("&", parts);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String pyList(List<String> items) {
        List<String> q = items.stream().map(s -> "'" + s + "'").toList();
        return "[" + String.join(", ", q) + "]";
    }
}
