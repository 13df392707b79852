package dev.tapguard.agent.lab;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Test helper: runs commands (optionally in a namespace) and fails loudly. */
public final class Sh {
    private static final ProcessCommandRunner ROOT = new ProcessCommandRunner();

    private Sh() {
    }

    public static CommandResult run(String... argv) {
        return ROOT.run(Command.of(argv).withTimeout(Duration.ofSeconds(60)));
    }

    public static String check(String... argv) {
        CommandResult r = run(argv);
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
        return r.stdout();
    }

    public static CommandResult in(String ns, String... argv) {
        List<String> a = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        a.addAll(List.of(argv));
        return run(a.toArray(String[]::new));
    }

    public static String checkIn(String ns, String... argv) {
        CommandResult r = in(ns, argv);
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
        return r.stdout();
    }

    /** A fresh random name prefix owned by this test run: tga + 4 hex digits. */
    public static String prefix() {
        return "tga" + String.format("%04x", new java.util.Random().nextInt(0x10000));
    }

    /** Deletes every namespace whose name starts with the prefix (never anything else). */
    public static void deleteNamespaces(String prefix) {
        for (String line : run("ip", "netns", "list").stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.isEmpty() && name.startsWith(prefix)) {
                run("ip", "netns", "del", name);
            }
        }
    }
}
