package dev.tapguard.cli;

import picocli.CommandLine.Option;

/** How to reach Tapguard's API (a Neutron v2.0 endpoint). */
final class ServerOptions {
    @Option(names = "--server", paramLabel = "URL", description = "Tapguard's API, e.g. http://127.0.0.1:9696")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "a Keystone token (default: $OS_AUTH_TOKEN); "
            + "without one, noauth headers are sent (X-Roles: admin, X-Project-Id with --project-id)")
    String token;

    @Option(names = "--project-id", paramLabel = "ID", description = "project for noauth headers (default: none, "
            + "an admin with no project)")
    String projectId;

    TapguardClient client() {
        String t = token != null ? token : System.getenv("OS_AUTH_TOKEN");
        return new TapguardClient(url, t, projectId);
    }
}
