package dev.tapguard.cli;

import dev.tapguard.agent.Agent;
import dev.tapguard.agent.AgentConfig;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.lab.Lab;
import dev.tapguard.agent.plumbing.BridgeMapping;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.server.ServerConfig;
import dev.tapguard.server.TapguardServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole system on one machine: a lab compute node ({@link Lab}), the real server (embedded H2 in a directory,
 * noauth, on a free loopback port) and the real agent in lab mode, in this process, driving the lab's host
 * namespace. Closing the lab (also from its shutdown hook) stops the agent first, then the server.
 */
final class LabStack implements AutoCloseable {
    /** The compute host's name: binding:host_id of the ports the agent enforces. */
    static final String HOST = "compute-1";

    private final Lab lab;
    private final Map<String, String> agentEnvironment;
    private TapguardServer server;
    private volatile Agent agent;
    private boolean closed;

    private LabStack(Lab lab, Map<String, String> agentEnvironment) {
        this.lab = lab;
        this.agentEnvironment = Map.copyOf(agentEnvironment);
    }

    /**
     * Builds the lab, then starts the server (H2 in the lab's directory) and the agent. {@code agentEnvironment} is
     * added to the environment of every command the agent runs (the tests put a stand-in first on PATH);
     * {@code onLab} sees the lab before the server starts (the demo sends its log there).
     */
    static LabStack start(String prefix, Map<String, String> agentEnvironment, Consumer<String> progress,
                          Consumer<Lab> onLab) throws IOException {
        Lab lab = Lab.start(new ProcessCommandRunner(), prefix, progress);
        LabStack s = new LabStack(lab, agentEnvironment);
        try {
            onLab.accept(lab);
            lab.onClose(s::stopServices);
            Path store = lab.dir().resolve("server");
            progress.accept("server: Neutron API + change feed, H2 in " + store + ", noauth");
            s.server = TapguardServer.start(ServerConfig.noauth("jdbc:h2:file:" + store.resolve("tapguard")));
            progress.accept("agent in lab mode for host " + HOST + " (commands in " + lab.hostNs()
                    + ", --bridge-mapping " + Lab.PHYSNET + ":" + Lab.BRIDGE + ")");
            s.startAgent();
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return s;
    }

    Lab lab() {
        return lab;
    }

    String serverUrl() {
        return server.url();
    }

    Agent agent() {
        return agent;
    }

    NeutronClient api(String projectId) {
        return new NeutronClient(server.url(), projectId);
    }

    /** Starts an agent (after {@link #stopAgent}, this is a restart: it recovers what the kernel and OVS have). */
    synchronized void startAgent() throws IOException {
        if (closed) {
            throw new IllegalStateException("the lab is closed");
        }
        AgentConfig cfg = new AgentConfig(URI.create(server.url()), HOST, true,
                List.of(BridgeMapping.parse(Lab.PHYSNET + ":" + Lab.BRIDGE)), null, lab.hostNs(),
                lab.hostOvs().rundir(), true, "netdev", RenderOptions.DEFAULTS, null, "service", 25,
                Duration.ofMinutes(5), Duration.ofSeconds(60));
        Agent a = new Agent(cfg, new ProcessCommandRunner(lab.hostNs(), agentEnvironment));
        agent = a;
        try {
            a.start();
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    synchronized void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    /**
     * Waits until the agent has applied the server's current revision (every write bumps it) and is in sync;
     * returns that revision, or throws with the agent's last error.
     */
    long awaitApplied(Duration atMost) {
        long rev = api("").revision(HOST);
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            Agent a = agent;
            if (a.inSync() && a.appliedRevision() >= rev) {
                return a.appliedRevision();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent did not apply revision " + rev + " within "
                        + atMost.toSeconds() + " s (applied " + a.appliedRevision() + ", in sync " + a.inSync()
                        + (a.lastError() == null ? "" : ", last error: " + a.lastError()) + ")");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private synchronized void stopServices() {
        closed = true;
        stopAgent();
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void close() {
        lab.close();
    }
}
