package dev.tapguard.server.api;

/**
 * One attribute of a resource as Neutron's attribute map declares it.
 *
 * @param required POST must name it (it has no default)
 * @param filter   usable as a list filter
 * @param sort     usable as sort_key
 * @param type     how a filter value is read
 */
public record Attr(String name, boolean allowPost, boolean allowPut, boolean required, boolean filter, boolean sort,
                   Type type) {

    public enum Type { STRING, BOOL, INT, PORT, ETHERTYPE, LIST, FIXED_IPS, OTHER }

    /** Read-only attribute (shown, never written). */
    public static Attr ro(String name, boolean filter, boolean sort, Type type) {
        return new Attr(name, false, false, false, filter, sort, type);
    }

    /** Writable on create and update. */
    public static Attr rw(String name, boolean filter, boolean sort, Type type) {
        return new Attr(name, true, true, false, filter, sort, type);
    }

    /** Writable on create only. */
    public static Attr createOnly(String name, boolean required, boolean filter, boolean sort, Type type) {
        return new Attr(name, true, false, required, filter, sort, type);
    }
}
