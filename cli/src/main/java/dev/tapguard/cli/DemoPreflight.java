package dev.tapguard.cli;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code tapguard demo} needs on this machine, checked before anything is created: root, the programs the lab,
 * the agent and the captures run (each with the Debian package that has it), scapy for {@code /usr/bin/python3},
 * Open vSwitch's schema, and br_netfilter (loaded with modprobe when missing). The report says what is missing and
 * the one apt-get line that installs it.
 */
final class DemoPreflight {

    /** One thing missing, and the Debian package that brings it (null when no package does). */
    record Missing(String what, String debianPackage) {
    }

    /** Programs by the Debian package that installs them. */
    static final Map<String, String> PROGRAMS = new LinkedHashMap<>();

    static {
        for (String p : List.of("ip")) {
            PROGRAMS.put(p, "iproute2");
        }
        for (String p : List.of("iptables", "ip6tables", "iptables-save", "ip6tables-save", "iptables-restore",
                "ip6tables-restore")) {
            PROGRAMS.put(p, "iptables");
        }
        PROGRAMS.put("ipset", "ipset");
        PROGRAMS.put("conntrack", "conntrack");
        for (String p : List.of("ovsdb-server", "ovs-vswitchd", "ovs-tcpdump", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl",
                "ovs-appctl")) {
            PROGRAMS.put(p, "openvswitch-switch");
        }
        PROGRAMS.put("tcpdump", "tcpdump");
        PROGRAMS.put("ethtool", "ethtool");
        PROGRAMS.put("sysctl", "procps");
        PROGRAMS.put("kill", "procps");
        PROGRAMS.put("modprobe", "kmod");
    }

    static final String PYTHON = "/usr/bin/python3";
    static final String OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
    static final String BR_NETFILTER = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    private DemoPreflight() {
    }

    /**
     * Everything missing, in the order a person fixes it. {@code path} is the PATH the commands will run with.
     * Loads br_netfilter (modprobe) when it is the only way to have it and this is root.
     */
    static List<Missing> check(CommandRunner runner, String path) {
        return check(runner, path, List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    }

    /** {@code elsewhere}: where to look for a program missing from PATH, to say so instead of "install it". */
    static List<Missing> check(CommandRunner runner, String path, List<String> elsewhere) {
        List<Missing> out = new ArrayList<>();
        CommandResult id = runner.run(Command.of("id", "-u"));
        boolean root = id.ok() && id.stdout().strip().equals("0");
        if (!root) {
            out.add(new Missing("root: the demo creates network namespaces, Linux bridges and Open vSwitch instances "
                    + "(run it as root, e.g. sudo ./tapguard demo)", null));
        }
        for (Map.Entry<String, String> e : PROGRAMS.entrySet()) {
            if (find(path, e.getKey()) == null) {
                String where = null;
                for (String dir : elsewhere) {
                    if (Files.isExecutable(Path.of(dir, e.getKey()))) {
                        where = dir;
                        break;
                    }
                }
                out.add(where != null
                        ? new Missing(e.getKey() + " is in " + where + ", which is not on PATH (add it to PATH)", null)
                        : new Missing(e.getKey() + ": not found", e.getValue()));
            }
        }
        if (!Files.isRegularFile(Path.of(OVS_SCHEMA))) {
            out.add(new Missing("Open vSwitch's schema " + OVS_SCHEMA + ": not found", "openvswitch-common"));
        }
        if (!Files.isExecutable(Path.of(PYTHON))) {
            out.add(new Missing(PYTHON + ": not found (the lab's peers and packets are Python with scapy)",
                    "python3-scapy"));
        } else {
            if (!runner.run(Command.of(PYTHON, "-c", "import scapy.all")).ok()) {
                out.add(new Missing(PYTHON + " cannot import scapy (hand-made packets: IP protocol 4, spoofed "
                        + "sources)", "python3-scapy"));
            }
            if (find(path, "ovs-tcpdump") != null
                    && !runner.run(Command.of(PYTHON, "-c", "import ovs.db.idl, netifaces")).ok()) {
                out.add(new Missing(PYTHON + " cannot import ovs and netifaces (ovs-tcpdump needs them)",
                        "python3-openvswitch"));
            }
        }
        if (!Files.exists(Path.of(BR_NETFILTER)) && root && find(path, "modprobe") != null) {
            runner.run(Command.of("modprobe", "br_netfilter"));
        }
        if (!Files.exists(Path.of(BR_NETFILTER))) {
            out.add(new Missing("br_netfilter: bridged traffic does not reach iptables (" + BR_NETFILTER
                    + " is missing; modprobe br_netfilter as root" + (root ? " did not help: the kernel lacks it"
                    : "") + ")", null));
        }
        return out;
    }

    /** The report for a person: each missing thing, then the apt-get line. */
    static String explain(List<Missing> missing) {
        StringBuilder sb = new StringBuilder("tapguard demo: this machine does not have what the demo needs yet:\n");
        Set<String> packages = new LinkedHashSet<>();
        for (Missing m : missing) {
            sb.append("  - ").append(m.what());
            if (m.debianPackage() != null) {
                sb.append(" (Debian package ").append(m.debianPackage()).append(')');
                packages.add(m.debianPackage());
            }
            sb.append('\n');
        }
        if (!packages.isEmpty()) {
            sb.append("Install the missing packages (as root):\n  apt-get install -y ")
                    .append(String.join(" ", packages)).append('\n');
            sb.append("or let the demo do it: ./tapguard demo --install\n");
        }
        sb.append("then run ./tapguard demo again. (./test.sh installs these and everything the tests need.)\n");
        return sb.toString();
    }

    /** The Debian packages that bring what is missing (empty when nothing missing has a package). */
    static List<String> packages(List<Missing> missing) {
        Set<String> out = new LinkedHashSet<>();
        missing.forEach(m -> {
            if (m.debianPackage() != null) {
                out.add(m.debianPackage());
            }
        });
        return List.copyOf(out);
    }

    /**
     * {@code apt-get install -y PACKAGES} (after {@code apt-get update} when the first try fails: a fresh machine
     * may have no package lists yet). Returns null on success, else apt-get's complaint.
     */
    static String install(CommandRunner runner, List<String> packages) {
        // --no-upgrade: what is installed stays as it is; the lock timeout waits for another apt run to finish
        List<String> argv = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
                "-y", "-q", "--no-install-recommends", "--no-upgrade", "-o", "DPkg::Lock::Timeout=300"));
        argv.addAll(packages);
        Command install = Command.of(argv).withTimeout(java.time.Duration.ofMinutes(20));
        CommandResult r = runner.run(install);
        if (r.ok()) {
            return null;
        }
        runner.run(Command.of("apt-get", "update", "-q").withTimeout(java.time.Duration.ofMinutes(10)));
        r = runner.run(install);
        return r.ok() ? null : r.describe();
    }

    private static Path find(String path, String program) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program);
            }
        }
        return null;
    }
}
