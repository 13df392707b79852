package dev.tapguard.server.http;

import dev.tapguard.server.api.ApiResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * List answers kept while the store does not change: every write bumps the global revision, so an answer computed
 * at revision R is still exact while the store's revision (read from the database, so writes of other servers
 * count too) is R. Keyed by everything that shapes a list: collection, caller, roles and query.
 */
public final class ListCache {
    private final int capacity;
    private final Map<String, Cached> entries;

    private record Cached(long revision, ApiResponse response) {
    }

    public ListCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > ListCache.this.capacity;
            }
        };
    }

    /** The cached answer when the store is still at its revision, else a fresh one (then cached). */
    public ApiResponse get(String key, LongSupplier revision, Supplier<ApiResponse> compute) {
        long before = revision.getAsLong();
        synchronized (this) {
            Cached e = entries.get(key);
            if (e != null && e.revision() == before) {
                return e.response();
            }
        }
        ApiResponse fresh = compute.get();
        if (fresh.status() == 200) {
            synchronized (this) {
                // stored under the revision read before computing: a write during the computation moves the
                // revision on, so this entry can never be served for a newer store
                entries.put(key, new Cached(before, fresh));
            }
        }
        return fresh;
    }
}
