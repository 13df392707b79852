package dev.tapguard.agent.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** One process to run: its argv, what to feed its stdin (null = nothing), and how long it may take. */
public record Command(List<String> argv, byte[] stdin, Duration timeout, boolean rootNamespace) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public Command(List<String> argv, byte[] stdin, Duration timeout) {
        this(argv, stdin, timeout, false);
    }

    public Command {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Objects.requireNonNull(timeout, "timeout");
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), null, DEFAULT_TIMEOUT);
    }

    public static Command of(List<String> argv) {
        return new Command(argv, null, DEFAULT_TIMEOUT);
    }

    public Command withStdin(String text) {
        return new Command(argv, text.getBytes(StandardCharsets.UTF_8), timeout, rootNamespace);
    }

    public Command withTimeout(Duration t) {
        return new Command(argv, stdin, t, rootNamespace);
    }

    /**
     * Runs outside the runner's network namespace (lab mode: creating and deleting VM namespaces, whose bind mounts
     * must live in the root mount namespace).
     */
    public Command inRootNamespace() {
        return new Command(argv, stdin, timeout, true);
    }

    /** The program name (argv[0]). */
    public String program() {
        return argv.get(0);
    }

    /** The command line for logs (stdin size, not content). */
    public String display() {
        return String.join(" ", argv) + (stdin == null ? "" : " <stdin " + stdin.length + " bytes>");
    }
}
