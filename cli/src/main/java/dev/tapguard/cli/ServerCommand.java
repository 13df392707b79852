package dev.tapguard.cli;

import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tapguard server}: Neutron's security-group API and the agents' change feed. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Serve the Neutron v2.0 security-group API (networks, ports, security groups and rules,",
                "quotas, RBAC) and the agents' change feed GET /v2.0/tapguard/hosts/{host}/view."})
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "127.0.0.1:9696", paramLabel = "HOST:PORT",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--db", defaultValue = ServerConfig.DEFAULT_DB_URL, paramLabel = "URL",
            description = {"JDBC URL of the store (default: ${DEFAULT-VALUE}, created on first start);",
                    "jdbc:postgresql://host/db for PostgreSQL."})
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (PostgreSQL).")
    String dbUser;

    @Option(names = "--db-password-env", paramLabel = "VAR", defaultValue = "TAPGUARD_DB_PASSWORD",
            description = "Environment variable holding the database password (default: ${DEFAULT-VALUE}).")
    String dbPasswordEnv;

    @Option(names = "--auth", paramLabel = "keystone|noauth",
            description = {"keystone: validate X-Auth-Token with Keystone v3 (default when --keystone-url is given);",
                    "noauth: trust X-Project-Id / X-Roles headers (development only)."})
    String auth;

    @Option(names = "--keystone-url", paramLabel = "URL", description = "Keystone URL, e.g. http://127.0.0.1:5000/v3")
    String keystoneUrl;

    @Option(names = "--token-cache-seconds", defaultValue = "60", paramLabel = "N",
            description = "How long a validated token is trusted (default: ${DEFAULT-VALUE}).")
    int tokenCacheSeconds;

    @Override
    public Integer call() throws InterruptedException {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--listen must be HOST:PORT, not '" + listen + "'");
        }
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        String mode = auth != null ? auth : keystoneUrl != null ? "keystone" : "noauth";
        ServerConfig.AuthMode authMode = switch (mode) {
            case "keystone" -> ServerConfig.AuthMode.KEYSTONE;
            case "noauth" -> ServerConfig.AuthMode.NOAUTH;
            default -> throw new IllegalArgumentException("--auth must be keystone or noauth, not '" + mode + "'");
        };
        ServerConfig config = new ServerConfig(host, port, db, dbUser, System.getenv(dbPasswordEnv), authMode,
                keystoneUrl, Duration.ofSeconds(tokenCacheSeconds));
        TapguardServer server = TapguardServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "tapguard-server-shutdown"));
        System.err.println("tapguard server: " + server.url() + " (auth " + mode + ")");
        stopped.await();
        return 0;
    }
}
