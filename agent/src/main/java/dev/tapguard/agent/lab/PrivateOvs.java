package dev.tapguard.agent.lab;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ovsdb-server + ovs-vswitchd of the lab's own inside one network namespace, with its own run directory (db.sock,
 * BRIDGE.mgmt). With the userspace datapath ovs-vswitchd only sees ports in its own namespace, and the system's
 * Open vSwitch is not the lab's to change (LAB_NOTES #1).
 */
public final class PrivateOvs implements AutoCloseable {
    public static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
    private final CommandRunner runner;
    private final String ns;
    private final Path dir;

    PrivateOvs(CommandRunner runner, String ns, Path dir) throws IOException {
        this.runner = runner;
        this.ns = ns;
        this.dir = dir;
        Files.createDirectories(dir);
        String d = dir.toString();
        runner.check("ovsdb-tool", "create", d + "/conf.db", SCHEMA);
        runner.check(Lab.inNs(ns, "ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                "--unixctl=" + d + "/ovsdb-server.ctl", "--pidfile=" + d + "/ovsdb-server.pid", "--detach",
                "--log-file=" + d + "/ovsdb-server.log"));
        vsctl("--no-wait", "init");
        runner.check(Lab.inNs(ns, "env", "OVS_RUNDIR=" + d, "ovs-vswitchd", "unix:" + d + "/db.sock",
                "--unixctl=" + d + "/ovs-vswitchd.ctl", "--pidfile=" + d + "/ovs-vswitchd.pid", "--detach",
                "--log-file=" + d + "/ovs-vswitchd.log"));
    }

    /** The run directory: the agent's {@code --ovs-rundir}. */
    public String rundir() {
        return dir.toString();
    }

    /** The database socket as a connection string ({@code ovs-vsctl --db}, {@code ovs-tcpdump --db-sock}). */
    public String db() {
        return "unix:" + dir + "/db.sock";
    }

    public String vsctl(String... args) {
        List<String> a = new ArrayList<>(List.of("ovs-vsctl", "--timeout=10", "--db=" + db()));
        a.addAll(List.of(args));
        return runner.check(Lab.inNs(ns, a.toArray(String[]::new))).stdout();
    }

    /** {@code ovs-ofctl SUBCOMMAND BRIDGE ARGS...} on a bridge of this instance. */
    public String ofctl(String sub, String bridge, String... args) {
        List<String> a = new ArrayList<>(List.of("ovs-ofctl", sub, "unix:" + dir + "/" + bridge + ".mgmt"));
        a.addAll(List.of(args));
        return runner.check(Lab.inNs(ns, a.toArray(String[]::new))).stdout();
    }

    @Override
    public void close() {
        for (String daemon : new String[] {"ovs-vswitchd", "ovsdb-server"}) {
            CommandResult exit = runner.run(Command.of("ovs-appctl", "-t", dir + "/" + daemon + ".ctl", "exit"));
            Path pid = dir.resolve(daemon + ".pid");
            try {
                if (!exit.ok() && Files.exists(pid)) {
                    String p = Files.readString(pid).strip();
                    Path cmdline = Path.of("/proc", p, "cmdline");
                    // only a process that is this instance's daemon (its command line names our directory)
                    if (Files.exists(cmdline) && Files.readString(cmdline).contains(dir.toString())) {
                        runner.run(Command.of("kill", p));
                    }
                }
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
