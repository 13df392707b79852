package dev.tapguard.agent.lab;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.exec.RunningCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A live capture: {@code tcpdump} (or {@code ovs-tcpdump} for an Open vSwitch port) running in a namespace of the
 * lab, one line per packet. {@link #start} returns once the capture is listening, so a packet sent afterwards is
 * seen if it crosses the device.
 */
public final class Capture implements AutoCloseable {
    private final CommandRunner runner;
    private final RunningCommand process;
    private final String label;
    private final List<String> packets = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private final Thread out;
    private boolean listening;
    private String device;
    private List<String> result;

    private Capture(CommandRunner runner, RunningCommand process, String label) {
        this.runner = runner;
        this.process = process;
        this.label = label;
        out = reader(() -> process.stdout().readLine(), line -> {
            synchronized (this) {
                // ovs-tcpdump prints its own messages on stdout too; a packet line starts with a time stamp
                if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                    packets.add(line);
                } else {
                    messages.add(line);
                }
                notifyAll();
            }
        });
        reader(() -> process.stderr().readLine(), line -> {
            synchronized (this) {
                if (line.contains("listening on")) {
                    listening = true;
                    String rest = line.substring(line.indexOf("listening on") + "listening on".length()).strip();
                    device = rest.split("[,\\s]")[0];
                }
                messages.add(line);
                notifyAll();
            }
        });
    }

    private interface LineSource {
        String next() throws IOException;
    }

    private Thread reader(LineSource src, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = src.next()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the capture ended
            }
            synchronized (this) {
                notifyAll();
            }
        }, "capture-" + label);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Starts {@code argv} (a tcpdump or ovs-tcpdump command line, {@code -l} added when missing) in namespace
     * {@code ns} and waits until it listens; throws with its messages if it does not within 10 s.
     */
    public static Capture start(CommandRunner runner, String ns, String label, List<String> argv) {
        List<String> a = new ArrayList<>(argv);
        if (!a.contains("-l")) {
            a.add(1, "-l");
        }
        RunningCommand p = runner.start(Lab.inNs(ns, a.toArray(String[]::new)));
        Capture c = new Capture(runner, p, label);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        synchronized (c) {
            while (!c.listening && p.alive() && System.nanoTime() < deadline) {
                try {
                    c.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!c.listening) {
                c.close();
                throw new IllegalStateException("capture " + label + " (" + String.join(" ", a)
                        + ") did not start: " + String.join(" | ", c.messages));
            }
        }
        return c;
    }

    public String label() {
        return label;
    }

    /** The device tcpdump listens on (for ovs-tcpdump: its mirror port). */
    public synchronized String device() {
        return device;
    }

    /** Packets seen so far. */
    public synchronized int count() {
        return packets.size();
    }

    /** Waits until at least {@code n} packets were seen or the time is up; true if they were. */
    public synchronized boolean await(int n, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (packets.size() < n && process.alive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return packets.size() >= n;
    }

    /**
     * Stops the capture (SIGINT, as Ctrl-C: ovs-tcpdump removes its mirror) and returns the packet lines it printed.
     */
    public List<String> stop() {
        synchronized (this) {
            if (result != null) {
                return result;
            }
        }
        if (process.alive()) {
            runner.run(Command.of("kill", "-INT", Long.toString(process.pid())));
            process.awaitExit(Duration.ofSeconds(5));
        }
        process.stop(Duration.ofSeconds(3));
        try {
            out.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            result = List.copyOf(packets);
            return result;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
