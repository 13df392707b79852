package dev.tapguard.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tapguard.model.NeutronException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The store's database: a HikariCP pool over H2 or PostgreSQL, migrated by Flyway with the same scripts for both.
 * Writes are serialised: every write transaction first bumps the global revision row, which takes its row lock
 * (one writer at a time across server instances sharing a PostgreSQL database), and this JVM also queues its own
 * writers on a fair lock so they never wait on the database's lock timeout.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final RevisionWatch watch;
    private final boolean postgres;

    public Database(String url, String user, String password) {
        this.postgres = url.startsWith("jdbc:postgresql:");
        if (url.startsWith("jdbc:h2:file:")) {
            createParentDirectory(url.substring("jdbc:h2:file:".length()));
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setPoolName("tapguard-db");
        hc.setMaximumPoolSize(postgres ? 16 : 12);
        hc.setAutoCommit(true);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        this.pool = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.jdbi = Jdbi.create(pool);
        this.watch = new RevisionWatch(currentRevision());
    }

    private static void createParentDirectory(String pathAndOptions) {
        String path = pathAndOptions.split(";", 2)[0];
        Path parent = Path.of(path).toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create the database directory " + parent + ": " + e, e);
            }
        }
    }

    public HikariDataSource pool() {
        return pool;
    }

    public boolean isPostgres() {
        return postgres;
    }

    public RevisionWatch watch() {
        return watch;
    }

    /** Runs a read: sees only committed data. */
    public <T> T read(Function<Handle, T> work) {
        return jdbi.withHandle(work::apply);
    }

    /**
     * Runs a write in one transaction that also bumps the global revision. A {@link NeutronException} (or any other
     * exception) rolls everything back, revision included.
     */
    public <T> T write(Function<Tx, T> work) {
        writeLock.lock();
        try {
            long[] committed = new long[1];
            T result = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
                Tx tx = Tx.begin(h);
                T r = work.apply(tx);
                tx.finish();
                committed[0] = tx.revision();
                return r;
            });
            watch.advance(committed[0]);
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    public long currentRevision() {
        return read(h -> h.createQuery("SELECT revision FROM tg_meta WHERE id = 1").mapTo(Long.class).one());
    }

    /** True when the database answers a trivial query. */
    public boolean healthy() {
        try {
            return read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
