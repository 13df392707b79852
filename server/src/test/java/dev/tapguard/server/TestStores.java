package dev.tapguard.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Fresh stores for tests: an H2 file database in a temp directory, or a new PostgreSQL database created through
 * TAPGUARD_TEST_PG_URL (exported by scripts/services.sh start_postgres). Each is removed when closed.
 */
public final class TestStores {
    private TestStores() {
    }

    public interface Store extends AutoCloseable {
        String url();

        @Override
        void close();
    }

    public static Store h2() {
        try {
            Path dir = Files.createTempDirectory("tgsrv-h2-");
            return new Store() {
                public String url() {
                    return "jdbc:h2:file:" + dir.resolve("tapguard");
                }

                public void close() {
                    try (Stream<Path> s = Files.walk(dir)) {
                        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The admin URL of the test PostgreSQL; fails (never skips) when the service was not started. */
    public static String postgresAdminUrl() {
        String url = System.getenv("TAPGUARD_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("TAPGUARD_TEST_PG_URL is not set: run the tests through ./test.sh, "
                    + "or '. scripts/services.sh && start_postgres' first");
        }
        return url;
    }

    public static Store postgres() {
        String admin = postgresAdminUrl();
        String name = "tgsrv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        exec(admin, "CREATE DATABASE " + name);
        String url = admin.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        return new Store() {
            public String url() {
                return url;
            }

            public void close() {
                exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        };
    }

    private static void exec(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static Store of(String kind) {
        return switch (kind) {
            case "h2" -> h2();
            case "postgres" -> postgres();
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
