package dev.tapguard.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands with {@link ProcessBuilder}: stdin written, stdout and stderr captured on their own threads (a full
 * pipe never blocks the child), killed when the timeout passes. With a network namespace set, every command is run
 * through {@code ip netns exec NS}, so one agent process can drive a lab host namespace.
 */
public final class ProcessCommandRunner implements CommandRunner {
    private final String netns;
    private final java.util.Map<String, String> environment;

    public ProcessCommandRunner() {
        this(null);
    }

    /** @param netns network namespace to run every command in, or null for the agent's own */
    public ProcessCommandRunner(String netns) {
        this(netns, java.util.Map.of());
    }

    /** @param environment variables set for every command on top of the agent's own (e.g. PATH) */
    public ProcessCommandRunner(String netns, java.util.Map<String, String> environment) {
        this.netns = netns == null || netns.isBlank() ? null : netns;
        this.environment = java.util.Map.copyOf(environment);
    }

    private List<String> argv(Command command) {
        List<String> argv = new ArrayList<>();
        if (netns != null && !command.rootNamespace()) {
            argv.addAll(List.of("ip", "netns", "exec", netns));
        }
        argv.addAll(command.argv());
        return argv;
    }

    private ProcessBuilder builder(Command command) {
        ProcessBuilder pb = new ProcessBuilder(argv(command));
        pb.environment().put("LC_ALL", "C");
        pb.environment().putAll(environment);
        return pb;
    }

    @Override
    public RunningCommand start(Command command) {
        Process p;
        try {
            p = builder(command).start();
        } catch (IOException e) {
            throw new CommandFailedException(new CommandResult(command, -1, "", "cannot start: " + e.getMessage(),
                    Duration.ZERO, false));
        }
        RunningCommand running = new RunningCommand(command, p);
        if (command.stdin() != null) {
            try {
                p.getOutputStream().write(command.stdin());
                p.getOutputStream().flush();
            } catch (IOException e) {
                running.close();
                throw new CommandFailedException(new CommandResult(command, -1, "", "its stdin: " + e.getMessage(),
                        Duration.ZERO, false));
            }
        }
        return running;
    }

    @Override
    public CommandResult run(Command command) {
        long start = System.nanoTime();
        Process p;
        try {
            ProcessBuilder pb = builder(command);
            if (command.stdin() == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            p = pb.start();
        } catch (IOException e) {
            return new CommandResult(command, -1, "", "cannot start: " + e.getMessage(), since(start), false);
        }
        Pump out = new Pump(p.getInputStream());
        Pump err = new Pump(p.getErrorStream());
        out.start();
        err.start();
        if (command.stdin() != null) {
            try (OutputStream os = p.getOutputStream()) {
                os.write(command.stdin());
            } catch (IOException e) {
                // the child exited early; its exit code and stderr say why
            }
        }
        boolean done;
        try {
            done = p.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(command, -1, "", "interrupted", since(start), true);
        }
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String stdout = out.text();
        String stderr = err.text();
        return new CommandResult(command, done ? p.exitValue() : -1, stdout, stderr, since(start), !done);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Drains one stream of the child into memory. */
    private static final class Pump extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Pump(InputStream in) {
            super("tapguard-pump");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(buf);
            } catch (IOException e) {
                // stream closed by a killed child: keep what was read
            }
        }

        String text() {
            try {
                join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
