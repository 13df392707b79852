package dev.tapguard.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server runs: where it listens, which store it opens and how it authenticates.
 *
 * @param host          address to bind (loopback by default)
 * @param port          TCP port; 0 picks a free one
 * @param dbUrl         JDBC URL: {@code jdbc:h2:...} (embedded) or {@code jdbc:postgresql://...}
 * @param dbUser        database user (PostgreSQL), may be null
 * @param dbPassword    database password (PostgreSQL), may be null
 * @param auth          keystone or noauth
 * @param keystoneUrl   Keystone base URL (with or without /v3), required for keystone auth
 * @param tokenCacheTtl how long a validated token is trusted before Keystone is asked again
 */
public record ServerConfig(String host, int port, String dbUrl, String dbUser, String dbPassword, AuthMode auth,
                           String keystoneUrl, Duration tokenCacheTtl) {

    public static final String DEFAULT_DB_URL = "jdbc:h2:file:./tapguard-data/tapguard";

    public enum AuthMode { KEYSTONE, NOAUTH }

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dbUrl, "dbUrl");
        Objects.requireNonNull(auth, "auth");
        if (auth == AuthMode.KEYSTONE && (keystoneUrl == null || keystoneUrl.isBlank())) {
            throw new IllegalArgumentException("--auth keystone needs --keystone-url");
        }
        tokenCacheTtl = tokenCacheTtl == null ? Duration.ofSeconds(60) : tokenCacheTtl;
    }

    /** A loopback server on a free port with the given store and no authentication (tests, development). */
    public static ServerConfig noauth(String dbUrl) {
        return new ServerConfig("127.0.0.1", 0, dbUrl, null, null, AuthMode.NOAUTH, null, null);
    }

    public static ServerConfig keystone(String dbUrl, String keystoneUrl) {
        return new ServerConfig("127.0.0.1", 0, dbUrl, null, null, AuthMode.KEYSTONE, keystoneUrl, null);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dbUrl, dbUser, dbPassword, auth, keystoneUrl, tokenCacheTtl);
    }
}
