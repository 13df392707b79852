package dev.tapguard.agent;

import dev.tapguard.agent.plumbing.BridgeMapping;
import dev.tapguard.render.RenderOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How the agent runs.
 *
 * @param server         the Tapguard server (change feed)
 * @param host           this host's name (ports are bound to it by binding:host_id)
 * @param lab            create a veth tap and a VM namespace per port instead of adopting the hypervisor's tap
 * @param mappings       physical networks to OVS bridges
 * @param metricsListen  host:port for /metrics, or null
 * @param netns          run every command in this network namespace (a lab host), or null
 * @param ovsRundir      a private Open vSwitch's run directory (db.sock, BRIDGE.mgmt), or null for the default
 * @param plumbing       build the tap/qbr/qvb/qvo/br-int plumbing (false: firewall only)
 * @param datapathType   OVS datapath of br-int: "system", "netdev", or null to detect
 * @param authToken      a Keystone token, or null for noauth headers
 * @param noauthRole     the role sent with noauth headers
 * @param feedWait       long-poll wait in seconds
 * @param resyncInterval how often the kernel is read back and repaired
 * @param commandTimeout limit for one command
 */
public record AgentConfig(URI server, String host, boolean lab, List<BridgeMapping> mappings, String metricsListen,
                          String netns, String ovsRundir, boolean plumbing, String datapathType,
                          RenderOptions renderOptions, String authToken, String noauthRole, int feedWait,
                          Duration resyncInterval, Duration commandTimeout) {

    public AgentConfig {
        mappings = List.copyOf(mappings);
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must name this host");
        }
    }

    public static AgentConfig of(URI server, String host) {
        return new AgentConfig(server, host, false, List.of(), null, null, null, true, null, RenderOptions.DEFAULTS,
                null, "service", 25, Duration.ofMinutes(5), Duration.ofSeconds(120));
    }
}
