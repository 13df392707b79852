package dev.tapguard.agent.lab;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compute node built from network namespaces (LAB_NOTES), for the demo and the end-to-end tests:
 * <pre>
 *  PREFIX-host   the compute host: its own Open vSwitch (userspace datapath) with br-ethx (the operator's bridge,
 *                uplink eth1) and later br-int (the agent's); br_netfilter on. The agent in --lab mode runs its
 *                commands here and puts each port's VM in a namespace of its own (named after the port).
 *  PREFIX-fab    the fabric host behind br-ethx: its own OVS bridge br-fab with fab0 (eth1's peer) and an internal
 *                port vlan102 tagged 102, 10.102.0.100/24 and 2001:db8:102::100/64: it terminates VLAN 102.
 * </pre>
 * Everything is named with the prefix and lives in a temporary directory; {@link #close} removes all of it (first
 * whatever was registered with {@link #onClose}, e.g. the agent, so nothing recreates a VM namespace), and a
 * shutdown hook does the same on Ctrl-C. All commands go through the given {@link CommandRunner}.
 */
public final class Lab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
    public static final String FABRIC_IP = "10.102.0.100";
    public static final String FABRIC_IP6 = "2001:db8:102::100";
    public static final int FABRIC_VLAN = 102;
    /** The physical network br-ethx carries: the agent's {@code --bridge-mapping physnet1:br-ethx}. */
    public static final String PHYSNET = "physnet1";
    public static final String BRIDGE = "br-ethx";
    /** The host's uplink on br-ethx, and its peer in the fabric namespace. */
    public static final String NIC = "eth1";
    public static final String FABRIC_IFACE = "vlan102";
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{1,11}");

    private final CommandRunner runner;
    private final String prefix;
    private final String hostNs;
    private final String fabricNs;
    private final Path dir;
    private final Path script;
    private PrivateOvs hostOvs;
    private PrivateOvs fabricOvs;
    private final Map<String, LabPeer> peers = new LinkedHashMap<>();
    private final List<AutoCloseable> beforeClose = new ArrayList<>();
    private final List<Capture> captures = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private Lab(CommandRunner runner, String prefix) throws IOException {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("lab prefix must be 2-12 lower-case letters and digits, not '"
                    + prefix + "'");
        }
        this.runner = runner;
        this.prefix = prefix;
        this.hostNs = prefix + "-host";
        this.fabricNs = prefix + "-fab";
        this.dir = Files.createTempDirectory(prefix + "-");
        this.script = dir.resolve("labpeer.py");
        try (InputStream s = Lab.class.getResourceAsStream("/lab/labpeer.py")) {
            Files.write(script, s.readAllBytes());
        }
        hook = new Thread(this::close, "lab-cleanup-" + prefix);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Builds the lab (namespaces, the two private Open vSwitch instances, br-ethx and the VLAN 102 fabric),
     * reporting each step to {@code progress}. On failure everything made so far is removed before the exception.
     */
    public static Lab start(CommandRunner runner, String prefix, Consumer<String> progress) throws IOException {
        Lab lab = new Lab(runner, prefix);
        try {
            lab.build(progress);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(Consumer<String> progress) throws IOException {
        progress.accept("namespace " + hostNs + " (the compute host), br_netfilter on");
        runner.check("ip", "netns", "add", hostNs);
        check(hostNs, "ip", "link", "set", "lo", "up");
        check(hostNs, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1",
                "net.bridge.bridge-nf-call-ip6tables=1");
        progress.accept("Open vSwitch of " + hostNs + " (userspace datapath), bridge " + BRIDGE);
        hostOvs = new PrivateOvs(runner, hostNs, dir.resolve("ovs-host"));
        hostOvs.vsctl("add-br", BRIDGE, "--", "set", "Bridge", BRIDGE, "datapath_type=netdev");

        progress.accept("namespace " + fabricNs + " (the fabric host behind " + BRIDGE + ", VLAN " + FABRIC_VLAN
                + " terminated on " + FABRIC_IFACE + " " + FABRIC_IP + ")");
        runner.check("ip", "netns", "add", fabricNs);
        check(fabricNs, "ip", "link", "set", "lo", "up");
        fabricOvs = new PrivateOvs(runner, fabricNs, dir.resolve("ovs-fab"));
        fabricOvs.vsctl("add-br", "br-fab", "--", "set", "Bridge", "br-fab", "datapath_type=netdev");
        check(hostNs, "ip", "link", "add", NIC, "type", "veth", "peer", "name", "fab0");
        check(hostNs, "ip", "link", "set", "fab0", "netns", fabricNs);
        // the userspace datapath does not complete partial checksums (LAB_NOTES #2)
        check(hostNs, "ethtool", "-K", NIC, "tx", "off");
        check(fabricNs, "ethtool", "-K", "fab0", "tx", "off");
        check(hostNs, "ip", "link", "set", NIC, "up");
        check(fabricNs, "ip", "link", "set", "fab0", "up");
        hostOvs.vsctl("add-port", BRIDGE, NIC);
        fabricOvs.vsctl("add-port", "br-fab", "fab0");
        fabricOvs.vsctl("add-port", "br-fab", FABRIC_IFACE, "tag=" + FABRIC_VLAN, "--", "set", "Interface",
                FABRIC_IFACE, "type=internal");
        check(fabricNs, "ip", "link", "set", FABRIC_IFACE, "up");
        run(fabricNs, "ethtool", "-K", FABRIC_IFACE, "tx", "off");
        check(fabricNs, "ip", "addr", "add", FABRIC_IP + "/24", "dev", FABRIC_IFACE);
        check(fabricNs, "ip", "addr", "add", FABRIC_IP6 + "/64", "dev", FABRIC_IFACE, "nodad");
    }

    /** {@code ip netns exec NS ARGV...}. */
    public static Command inNs(String ns, String... argv) {
        List<String> a = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        a.addAll(List.of(argv));
        return Command.of(a);
    }

    public CommandResult run(String ns, String... argv) {
        return runner.run(inNs(ns, argv));
    }

    public String check(String ns, String... argv) {
        return runner.check(inNs(ns, argv)).stdout();
    }

    public String prefix() {
        return prefix;
    }

    /** The compute host's namespace (the agent's {@code --netns}). */
    public String hostNs() {
        return hostNs;
    }

    public String fabricNs() {
        return fabricNs;
    }

    /** The lab's temporary directory (removed on close): a place for the server's store, logs, stand-ins. */
    public Path dir() {
        return dir;
    }

    /** The compute host's Open vSwitch (the agent's {@code --ovs-rundir}). */
    public PrivateOvs hostOvs() {
        return hostOvs;
    }

    public PrivateOvs fabricOvs() {
        return fabricOvs;
    }

    /** A namespace name of this lab: PREFIX-suffix (VM namespaces are named after their ports: use this). */
    public String name(String suffix) {
        return prefix + "-" + suffix;
    }

    /** The lab peer of a namespace (started on first use); the fabric's sends on vlan102, a VM's on eth0. */
    public synchronized LabPeer peer(String ns) throws IOException {
        LabPeer p = peers.get(ns);
        if (p == null) {
            p = new LabPeer(runner, ns, ns.equals(fabricNs) ? FABRIC_IFACE : "eth0", script);
            peers.put(ns, p);
        }
        return p;
    }

    public LabPeer fabric() throws IOException {
        return peer(fabricNs);
    }

    /** Gives a VM (a namespace the agent made for a port) its addresses: the guest's job, there is no DHCP here. */
    public void configureVm(String vmNs, String cidr4, String cidr6) {
        check(vmNs, "ip", "addr", "replace", cidr4, "dev", "eth0");
        if (cidr6 != null) {
            check(vmNs, "ip", "addr", "replace", cidr6, "dev", "eth0", "nodad");
        }
    }

    /** Whether a namespace exists (the agent creates VM namespaces when it plumbs their ports). */
    public boolean hasNamespace(String ns) {
        return Files.exists(Path.of("/run/netns", ns));
    }

    /** Starts a live capture in a namespace of this lab; it is stopped on close if still running. */
    public Capture capture(String ns, String label, List<String> argv) {
        Capture c = Capture.start(runner, ns, label, argv);
        synchronized (this) {
            captures.add(c);
        }
        return c;
    }

    /** Closed before the lab is torn down, last registered first (an agent, a server). */
    public synchronized void onClose(AutoCloseable c) {
        beforeClose.add(c);
    }

    /** Removes everything of the lab: idempotent, never throws, also run by the shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = beforeClose.size() - 1; i >= 0; i--) {
            try {
                beforeClose.get(i).close();
            } catch (Exception e) {
                LOG.warn("lab {}: closing {}: {}", prefix, beforeClose.get(i), e.toString());
            }
        }
        captures.forEach(Capture::close);
        peers.values().forEach(LabPeer::close);
        if (hostOvs != null) {
            hostOvs.close();
        }
        if (fabricOvs != null) {
            fabricOvs.close();
        }
        // twice: a Ctrl-C kills the command running at that moment (it shares the terminal's process group)
        for (int attempt = 0; attempt < 2; attempt++) {
            for (String ns : namespaces(runner, prefix)) {
                killProcessesIn(ns);
                runner.run(Command.of("ip", "netns", "del", ns));
            }
        }
        deleteTree(dir);
        // only now: a signal during the removal above must still find the hook, which waits for this call
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook finds the lab closed
            }
        }
    }

    private void killProcessesIn(String ns) {
        for (String pid : runner.run(Command.of("ip", "netns", "pids", ns)).stdout().split("\\s+")) {
            if (!pid.isBlank()) {
                runner.run(Command.of("kill", "-KILL", pid.strip()));
            }
        }
    }

    /**
     * Removes what a lab with this prefix left behind when its process was killed (no shutdown hook runs on
     * SIGKILL): the processes inside its namespaces (peers, captures, its Open vSwitch daemons), the namespaces and
     * its temporary directories. Returns what was removed.
     */
    public static List<String> sweep(CommandRunner runner, String prefix) {
        List<String> removed = new ArrayList<>();
        for (String ns : namespaces(runner, prefix)) {
            for (String pid : runner.run(Command.of("ip", "netns", "pids", ns)).stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    runner.run(Command.of("kill", "-KILL", pid.strip()));
                }
            }
            runner.run(Command.of("ip", "netns", "del", ns));
            removed.add("namespace " + ns);
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(prefix + "-") && Files.isDirectory(p))
                    .toList()) {
                deleteTree(d);
                removed.add("directory " + d);
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", tmp, e.toString());
        }
        return removed;
    }

    /** Namespaces of the lab with this prefix: PREFIX-anything. */
    public static List<String> namespaces(CommandRunner runner, String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : runner.run(Command.of("ip", "netns", "list")).stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(prefix + "-")) {
                out.add(name);
            }
        }
        return out;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot remove {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", root, e.toString());
        }
    }
}
