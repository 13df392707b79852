package dev.tapguard.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Network namespaces for one privileged test, all named {@code tgdx-<random>-...}, and a temp dir; everything is
 * removed on close, also when the test fails. Never touches the root namespace's links, routes or firewall.
 */
final class NetnsLab implements AutoCloseable {
    final String prefix;
    final Path dir;
    private final List<String> namespaces = new ArrayList<>();

    NetnsLab() throws IOException {
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        prefix = "tgdx-" + HexFormat.of().formatHex(b);
        dir = Files.createTempDirectory(prefix + "-");
    }

    /** Creates namespace {@code <prefix>-<suffix>} with its loopback up. */
    String namespace(String suffix) {
        String name = prefix + "-" + suffix;
        run(List.of("ip", "netns", "add", name), null);
        namespaces.add(name);
        run(List.of("ip", "-n", name, "link", "set", "lo", "up"), null);
        return name;
    }

    /** Runs a command inside a namespace. */
    String in(String ns, String stdin, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(argv));
        return run(cmd, stdin);
    }

    /** Runs ip(8) against a namespace: {@code ip -n NS ...}. */
    void ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        run(cmd, null);
    }

    static String run(List<String> argv, String stdin) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
            try (OutputStream o = p.getOutputStream()) {
                if (stdin != null) {
                    o.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out;
            byte[] err;
            try (InputStream i = p.getInputStream(); InputStream e = p.getErrorStream()) {
                out = i.readAllBytes();
                err = e.readAllBytes();
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " failed (" + p.exitValue() + "): "
                        + new String(err, StandardCharsets.UTF_8) + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean isRoot() {
        try {
            return run(List.of("id", "-u"), null).strip().equals("0");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                run(List.of("ip", "netns", "del", ns), null);
            } catch (IllegalStateException e) {
                System.err.println("could not remove namespace " + ns + ": " + e.getMessage());
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
