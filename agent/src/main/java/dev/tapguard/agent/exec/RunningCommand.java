package dev.tapguard.agent.exec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process left running by {@link CommandRunner#start}: a lab peer answering on its stdin/stdout, a tcpdump.
 * {@link #close} stops it (SIGTERM, then SIGKILL after a grace period) and never throws.
 */
public final class RunningCommand implements AutoCloseable {
    private final Command command;
    private final Process process;
    private final BufferedReader stdout;
    private final BufferedReader stderr;

    public RunningCommand(Command command, Process process) {
        this.command = command;
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    }

    public Command command() {
        return command;
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    public BufferedReader stdout() {
        return stdout;
    }

    public BufferedReader stderr() {
        return stderr;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits up to {@code atMost} for it to exit by itself; true if it did. */
    public boolean awaitExit(Duration atMost) {
        try {
            return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * Asks it to stop (SIGTERM) and waits up to {@code grace} before killing it; its exit code, or -1. Its output
     * stays readable to the end (Process.destroy would close the pipes and lose what it prints on the way out).
     */
    public int stop(Duration grace) {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(3));
    }
}
