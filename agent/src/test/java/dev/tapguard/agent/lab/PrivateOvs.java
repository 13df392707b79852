package dev.tapguard.agent.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An ovsdb-server + ovs-vswitchd of our own inside one namespace (userspace datapath), with its own run dir. */
public final class PrivateOvs implements AutoCloseable {
    private final String ns;
    private final Path dir;

    public PrivateOvs(String ns, Path dir) throws IOException {
        this.ns = ns;
        this.dir = dir;
        Files.createDirectories(dir);
        String d = dir.toString();
        Sh.check("ovsdb-tool", "create", d + "/conf.db", "/usr/share/openvswitch/vswitch.ovsschema");
        Sh.checkIn(ns, "ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                "--unixctl=" + d + "/ovsdb-server.ctl", "--pidfile=" + d + "/ovsdb-server.pid", "--detach",
                "--log-file=" + d + "/ovsdb-server.log");
        vsctl("--no-wait", "init");
        Sh.checkIn(ns, "env", "OVS_RUNDIR=" + d, "ovs-vswitchd", "unix:" + d + "/db.sock",
                "--unixctl=" + d + "/ovs-vswitchd.ctl", "--pidfile=" + d + "/ovs-vswitchd.pid", "--detach",
                "--log-file=" + d + "/ovs-vswitchd.log");
    }

    public String rundir() {
        return dir.toString();
    }

    public String vsctl(String... args) {
        String[] a = new String[args.length + 3];
        a[0] = "ovs-vsctl";
        a[1] = "--timeout=10";
        a[2] = "--db=unix:" + dir + "/db.sock";
        System.arraycopy(args, 0, a, 3, args.length);
        return Sh.checkIn(ns, a);
    }

    public String ofctl(String sub, String bridge, String... args) {
        String[] a = new String[args.length + 3];
        a[0] = "ovs-ofctl";
        a[1] = sub;
        a[2] = "unix:" + dir + "/" + bridge + ".mgmt";
        System.arraycopy(args, 0, a, 3, args.length);
        return Sh.checkIn(ns, a);
    }

    @Override
    public void close() {
        for (String daemon : new String[] {"ovs-vswitchd", "ovsdb-server"}) {
            Sh.run("ovs-appctl", "-t", dir + "/" + daemon + ".ctl", "exit");
            Path pid = dir.resolve(daemon + ".pid");
            try {
                if (Files.exists(pid)) {
                    String p = Files.readString(pid).strip();
                    Path cmdline = Path.of("/proc", p, "cmdline");
                    if (Files.exists(cmdline) && Files.readString(cmdline).contains(dir.toString())) {
                        Sh.run("kill", p);
                    }
                }
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
