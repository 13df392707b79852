package dev.tapguard.server.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A resource's name, collection and attribute map (the order is Neutron's, which decides which error comes first). */
public record ResourceSpec(String resource, String collection, Map<String, Attr> attrs) {

    public static ResourceSpec of(String resource, String collection, List<Attr> attrs) {
        Map<String, Attr> m = new LinkedHashMap<>();
        attrs.forEach(a -> m.put(a.name(), a));
        // every resource has its owner under both names
        m.putIfAbsent("tenant_id", Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING));
        m.putIfAbsent("project_id", Attr.createOnly("project_id", false, true, true, Attr.Type.STRING));
        return new ResourceSpec(resource, collection, java.util.Collections.unmodifiableMap(m));
    }

    public Attr attr(String name) {
        return attrs.get(name);
    }
}
