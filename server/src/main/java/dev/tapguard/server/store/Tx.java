package dev.tapguard.server.store;

import org.jdbi.v3.core.Handle;

/**
 * One write transaction: its handle, the global revision it commits as, the time it stamps on what it touches, and
 * the standard_attr_id counter (creation order of every resource).
 */
public final class Tx {
    private final Handle handle;
    private final long revision;
    private final long now;
    private long nextAttrId;
    private final long firstAttrId;

    private Tx(Handle handle, long revision, long nextAttrId, long now) {
        this.handle = handle;
        this.revision = revision;
        this.nextAttrId = nextAttrId;
        this.firstAttrId = nextAttrId;
        this.now = now;
    }

    static Tx begin(Handle h) {
        // the UPDATE takes the row lock first: every writer queues here, so checks below see a stable store
        h.createUpdate("UPDATE tg_meta SET revision = revision + 1 WHERE id = 1").execute();
        var row = h.createQuery("SELECT revision, next_attr_id FROM tg_meta WHERE id = 1")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one();
        // timestamps are whole seconds, as Neutron shows them
        long now = System.currentTimeMillis() / 1000 * 1000;
        return new Tx(h, row[0], row[1], now);
    }

    void finish() {
        if (nextAttrId != firstAttrId) {
            handle.createUpdate("UPDATE tg_meta SET next_attr_id = :n WHERE id = 1").bind("n", nextAttrId).execute();
        }
    }

    public Handle handle() {
        return handle;
    }

    public long revision() {
        return revision;
    }

    public long now() {
        return now;
    }

    public long nextAttrId() {
        return nextAttrId++;
    }
}
