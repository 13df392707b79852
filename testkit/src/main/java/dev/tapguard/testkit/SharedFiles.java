package dev.tapguard.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project root and the read-only {@code ../shared} folder beside it, from any module's working dir. */
public final class SharedFiles {
    private SharedFiles() {
    }

    /** The repository root: the nearest ancestor holding both pom.xml and test.sh. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.exists(p.resolve("pom.xml")) && Files.exists(p.resolve("test.sh"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("project root not found above " + Path.of("").toAbsolutePath());
    }

    /** {@code ../shared} beside the project, or $TAPGUARD_SHARED. */
    public static Path shared() {
        String env = System.getenv("TAPGUARD_SHARED");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return projectRoot().resolveSibling("shared");
    }
}
