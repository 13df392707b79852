package dev.tapguard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.lab.Lab;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapguard demo}: the source article's incident, end to end, on this machine. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The incident behind Tapguard, end to end, on this machine (as root): starts the server "
                + "(embedded H2 in a temporary directory), an agent in lab mode and a compute node made of network "
                + "namespaces (two VMs, br-int, br-ethx with VLAN 1 <-> 102, a fabric host), then:",
            "  1. IP-in-IP (protocol 4) from the fabric to VM1 is dropped; the capture",
            "     plan runs live: which hops saw the packet, which did not",
            "  2. tapguard trace: the default drop in sg-fallback, no rule allows 4",
            "  3. a rule for protocol 94: the lint warns (94 is BEET); still dropped",
            "  4. a rule for protocol 4: the packet arrives, the rule's counter > 0",
            "  5. everything it created is removed (also on Ctrl-C or a failure)",
            "Each step shows what was observed on this machine, not what was expected."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every step observed as in the article", "1:a step observed something else",
            "2:bad arguments", "3:this machine lacks something the demo needs (the message says what to install)",
            "4:the demo failed while running (everything it created was removed)"})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--keep", description = "leave the server, the agent and the lab running after the story, and "
            + "print how to explore them (the openstack CLI, trace, counters); Ctrl-C removes everything")
    boolean keep;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json: one record of each "
            + "step's observed outcome on stdout (progress on stderr)")
    String format;

    @Option(names = "--prefix", defaultValue = "tgdemo", paramLabel = "NAME", description = "names of everything "
            + "created: namespaces NAME-host, NAME-fab, NAME-vm1, NAME-vm2, temporary directory /tmp/NAME-* "
            + "(default ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--install", description = "as root: install the Debian packages the demo lacks (apt-get), "
            + "then run it")
    boolean install;

    @Option(names = "--clean", description = "remove what a killed demo with this --prefix left behind, then exit")
    boolean clean;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("tapguard demo: --format must be text or json, not '" + format + "'");
            return 2;
        }
        if (!prefix.matches("[a-z][a-z0-9]{1,11}")) {
            err.println("tapguard demo: --prefix must be 2-12 lower-case letters and digits, not '" + prefix + "'");
            return 2;
        }
        ProcessCommandRunner root = new ProcessCommandRunner();
        if (clean) {
            List<String> removed = Lab.sweep(root, prefix);
            out.println(removed.isEmpty() ? "tapguard demo: nothing named " + prefix + "-* to remove"
                    : "tapguard demo: removed " + String.join(", ", removed));
            return 0;
        }
        List<DemoPreflight.Missing> missing = DemoPreflight.check(root, System.getenv("PATH"));
        List<String> packages = DemoPreflight.packages(missing);
        if (install && !packages.isEmpty() && missing.stream().noneMatch(m -> m.what().startsWith("root"))) {
            err.println("tapguard demo: installing " + String.join(" ", packages) + " (apt-get, may take minutes)...");
            err.flush();
            String failed = DemoPreflight.install(root, packages);
            if (failed != null) {
                err.println("tapguard demo: apt-get failed: " + failed);
                return 3;
            }
            missing = DemoPreflight.check(root, System.getenv("PATH"));
        }
        if (!missing.isEmpty()) {
            err.print(DemoPreflight.explain(missing));
            err.flush();
            return 3;
        }
        List<String> leftovers = Lab.namespaces(root, prefix);
        if (!leftovers.isEmpty()) {
            err.println("tapguard demo: namespaces " + String.join(", ", leftovers) + " exist: another demo is running "
                    + "or one was killed. Stop it, or remove what it left with: tapguard demo --clean"
                    + (prefix.equals("tgdemo") ? "" : " --prefix " + prefix));
            return 3;
        }
        boolean json = format.equals("json");
        PrintWriter story = json ? null : out;
        PrintWriter progress = json ? err : out;
        quietConsoleLogging();
        if (story != null) {
            story.println("Tapguard demo: the IP-in-IP incident of the article \"带着问题了解 OpenStack Neutron 安全组\", "
                    + "on this machine.");
            story.println("Setting up (everything is named " + prefix + "-* and removed at the end):");
            story.flush();
        }
        DemoStory demo = new DemoStory(story, line -> {
            progress.println("  " + line);
            progress.flush();
        });
        boolean[] finished = {false};
        int code;
        try {
            demo.setUp(prefix, lab -> {
                logTo(lab.dir().resolve("demo.log"));
                // on Ctrl-C the lab's shutdown hook closes everything; say so (closing last: after the removal)
                lab.onClose(() -> {
                    if (!finished[0]) {
                        err.println("tapguard demo: stopped; removed everything it created (" + prefix + "-*)");
                        err.flush();
                    }
                });
            });
            if (story != null) {
                story.println("Ready: server " + demo.stack().serverUrl() + " (Neutron API, noauth), host "
                        + LabStack.HOST + ", lab " + demo.lab().prefix() + "-*.");
                story.flush();
            }
            boolean ok = demo.step1();
            ok &= demo.step2();
            ok &= demo.step3();
            ok &= demo.step4();
            if (keep) {
                demo.kept(cliPath());
                demo.record.put("as_in_the_article", ok);
                if (json) {
                    out.println(HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(demo.record));
                    out.flush();
                }
                new CountDownLatch(1).await();
            }
            finished[0] = true;
            ok &= demo.cleanUp();
            demo.record.put("as_in_the_article", ok);
            code = ok ? 0 : 1;
            if (story != null) {
                story.println();
                story.println(ok ? "Every step was observed as in the article." : "Some steps were NOT observed as in "
                        + "the article (see above).");
            }
        } catch (Exception e) {
            if (shuttingDown()) {
                // Ctrl-C or kill: the lab's shutdown hook removes everything and says so; this thread just ends
                return 130;
            }
            finished[0] = true;
            err.println("tapguard demo: failed: " + e.getMessage());
            tailLog(demo, err);
            demo.close();
            err.println("tapguard demo: removed everything it created (" + prefix + "-*)");
            demo.record.put("as_in_the_article", false);
            demo.record.put("error", String.valueOf(e.getMessage()));
            code = 4;
        }
        if (json) {
            out.println(HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(demo.record));
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Whether the JVM is exiting (a signal): then a step's failure is the signal's doing, not the demo's. */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** How this CLI was started, for the hints printed with --keep. */
    private static String cliPath() {
        return Files.exists(Path.of("tapguard")) ? "./tapguard" : "tapguard";
    }

    private static void tailLog(DemoStory demo, PrintWriter err) {
        if (demo.lab() == null) {
            return;
        }
        Path log = demo.lab().dir().resolve("demo.log");
        try {
            List<String> lines = Files.readAllLines(log);
            err.println("tapguard demo: the last lines of its log (" + log + "):");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> err.println("  " + l));
        } catch (IOException e) {
            // no log yet
        }
    }

    /** The server's and agent's logs would drown the story: warnings only until the log file exists. */
    private static void quietConsoleLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
        }
    }

    /** Sends every log line to a file in the lab's directory (the story owns the console). */
    private static void logTo(Path path) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n");
        enc.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(ctx);
        file.setName("demo-file");
        file.setFile(path.toString());
        file.setEncoder(enc);
        file.start();
        root.detachAndStopAllAppenders();
        root.addAppender(file);
        root.setLevel(Level.INFO);
    }
}
