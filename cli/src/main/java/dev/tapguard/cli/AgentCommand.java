package dev.tapguard.cli;

import dev.tapguard.agent.Agent;
import dev.tapguard.agent.AgentConfig;
import dev.tapguard.agent.Preflight;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.plumbing.BridgeMapping;
import dev.tapguard.render.DispatchBuckets;
import dev.tapguard.render.RenderOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapguard agent}: enforce the server's security groups on this host until stopped. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Follow the server's view of this host and enforce its security groups: iptables/ip6tables "
                + "and ipset (Neutron's iptables_hybrid layout), conntrack, and the hybrid plumbing "
                + "(tap -> qbr -> qvb/qvo -> br-int -> br-ethx).",
            "Runs until SIGTERM/SIGINT. Writes nothing before the first full view from the server; keeps the last "
                + "good rules while the server is unreachable."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped", "1:preflight or start-up failed (the message says what to fix)",
            "2:bad arguments"})
final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "Tapguard server, e.g. http://127.0.0.1:9696")
    URI server;

    @Option(names = "--host", required = true, paramLabel = "NAME", description = "this host (binding:host_id of its ports)")
    String host;

    @Option(names = "--lab", description = "lab mode: create each port's tap as a veth whose peer is eth0 of a VM "
            + "network namespace (named after the port), instead of adopting the hypervisor's tap")
    boolean lab;

    @Option(names = "--bridge-mapping", paramLabel = "PHYSNET:BRIDGE",
            description = "physical network to OVS bridge, e.g. physnet1:br-ethx (repeatable)")
    List<String> bridgeMappings = new ArrayList<>();

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "serve Prometheus /metrics here")
    String metricsListen;

    @Option(names = "--netns", paramLabel = "NS", description = "run every command inside this network namespace "
            + "(a lab host)")
    String netns;

    @Option(names = "--ovs-rundir", paramLabel = "DIR", description = "run directory of a private Open vSwitch "
            + "(db.sock and BRIDGE.mgmt inside); default: the system's")
    String ovsRundir;

    @Option(names = "--no-plumbing", description = "manage the firewall only; devices and OVS are someone else's")
    boolean noPlumbing;

    @Option(names = "--datapath-type", paramLabel = "TYPE", description = "br-int datapath: system or netdev "
            + "(default: netdev when the openvswitch kernel module is not loaded)")
    String datapathType;

    @Option(names = "--wrap", defaultValue = RenderOptions.DEFAULT_WRAP, description = "chain wrap (default ${DEFAULT-VALUE})")
    String wrap;

    @Option(names = "--dispatch-buckets", paramLabel = "N", defaultValue = "" + DispatchBuckets.DEFAULT,
            description = "bucket chains per shared dispatch chain, 1-" + DispatchBuckets.MAX + " (default "
                    + "${DEFAULT-VALUE}: removing a port reads a small bucket, not a chain of thousands of rules); 0 "
                    + "writes Neutron's own layout (every port's dispatch rules in the four shared chains). "
                    + "Verdicts are the same either way (docs/AGENT.md)")
    int dispatchBuckets;

    @Option(names = "--auth-token", paramLabel = "TOKEN", defaultValue = "${env:TAPGUARD_AUTH_TOKEN}",
            description = "Keystone token for the server (default: $TAPGUARD_AUTH_TOKEN; without one, noauth headers)")
    String authToken;

    @Option(names = "--noauth-role", defaultValue = "service", description = "role sent in noauth mode (default ${DEFAULT-VALUE})")
    String noauthRole;

    @Option(names = "--resync-interval", defaultValue = "300", paramLabel = "SECONDS",
            description = "read the kernel back and repair it this often (default ${DEFAULT-VALUE})")
    long resyncSeconds;

    @Override
    public Integer call() throws Exception {
        List<BridgeMapping> mappings = new ArrayList<>();
        RenderOptions options;
        try {
            for (String m : bridgeMappings) {
                mappings.add(BridgeMapping.parse(m));
            }
            BridgeMapping.byPhysnet(mappings);
            if (dispatchBuckets < 0 || dispatchBuckets > DispatchBuckets.MAX) {
                throw new IllegalArgumentException("--dispatch-buckets must be 0-" + DispatchBuckets.MAX + ", not "
                        + dispatchBuckets);
            }
            options = new RenderOptions(wrap, true, true, true, dispatchBuckets);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("tapguard agent: " + e.getMessage());
            return 2;
        }
        AgentConfig cfg = new AgentConfig(server, host, lab, mappings, metricsListen, netns, ovsRundir, !noPlumbing,
                datapathType, options,
                authToken == null || authToken.isBlank() ? null : authToken, noauthRole, 25,
                Duration.ofSeconds(resyncSeconds), Duration.ofSeconds(120));
        Agent agent = new Agent(cfg, new ProcessCommandRunner(netns), options.dispatchBuckets());
        try {
            agent.start();
        } catch (Preflight.PreflightException e) {
            spec.commandLine().getErr().println("tapguard agent: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("tapguard agent: cannot start: " + e.getMessage());
            agent.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "tapguard-agent-stop"));
        stopped.await();
        return 0;
    }
}
