package dev.tapguard.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The last committed global revision, and futures that complete when it moves past a given value (the change
 * feed's long-poll waits on them). Writes of other server instances sharing the database are seen through
 * {@link #advance} calls from a poller.
 */
public final class RevisionWatch {
    private long current;
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(long seen, CompletableFuture<Long> future) {
    }

    RevisionWatch(long initial) {
        this.current = initial;
    }

    public synchronized long current() {
        return current;
    }

    /** Records a committed revision (ignores older ones) and wakes the waiters it passes. */
    public void advance(long revision) {
        List<Waiter> done = new ArrayList<>();
        synchronized (this) {
            if (revision <= current) {
                return;
            }
            current = revision;
            waiters.removeIf(w -> {
                if (w.seen() < revision) {
                    done.add(w);
                    return true;
                }
                return false;
            });
        }
        done.forEach(w -> w.future().complete(revision));
    }

    /** A future completed with the new revision once the revision is greater than {@code seen}. */
    public synchronized CompletableFuture<Long> after(long seen) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        if (current > seen) {
            f.complete(current);
            return f;
        }
        waiters.add(new Waiter(seen, f));
        f.whenComplete((v, e) -> {
            synchronized (this) {
                waiters.removeIf(w -> w.future() == f);
            }
        });
        return f;
    }

    public synchronized int waiting() {
        return waiters.size();
    }
}
