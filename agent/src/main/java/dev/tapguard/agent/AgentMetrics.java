package dev.tapguard.agent;

import dev.tapguard.agent.firewall.FirewallState;
import dev.tapguard.netfilter.Family;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/** The agent's Prometheus metrics, in their own registry (several agents may share a JVM in tests). */
public final class AgentMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Histogram applyDuration = Histogram.builder().name("tapguard_agent_apply_duration_seconds")
            .help("Time to bring the kernel to the rendered state, one reconcile cycle that changed something")
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);
    final Counter restoreCalls = Counter.builder().name("tapguard_agent_restore_calls_total")
            .help("iptables-restore / ip6tables-restore / ipset restore processes run").labelNames("tool")
            .register(registry);
    final Counter restoreErrors = Counter.builder().name("tapguard_agent_restore_errors_total")
            .help("restore processes that failed").labelNames("tool").register(registry);
    final Counter applyFailures = Counter.builder().name("tapguard_agent_apply_failures_total")
            .help("reconcile cycles that could not apply the rendered state (ports fail closed, retried)")
            .register(registry);
    final Gauge chains = Gauge.builder().name("tapguard_agent_chains")
            .help("Tapguard's chains in the kernel").labelNames("family", "table").register(registry);
    final Gauge rules = Gauge.builder().name("tapguard_agent_rules")
            .help("Tapguard's rules in the kernel (own chains and jumps)").labelNames("family", "table")
            .register(registry);
    final Gauge ipsetMembers = Gauge.builder().name("tapguard_agent_ipset_members")
            .help("members of Tapguard's ipsets").register(registry);
    final Gauge inSync = Gauge.builder().name("tapguard_agent_in_sync")
            .help("1 when the kernel holds the latest view the server sent, 0 while behind or failing")
            .register(registry);
    final Gauge portsPlumbed = Gauge.builder().name("tapguard_agent_ports_plumbed")
            .help("ports plugged into br-int").register(registry);
    final Gauge portsBlocked = Gauge.builder().name("tapguard_agent_ports_blocked")
            .help("ports dropped because their rules could not be applied (fail closed)").register(registry);
    final Gauge feedConnected = Gauge.builder().name("tapguard_agent_feed_connected")
            .help("1 while the server answers the change feed").register(registry);
    final Gauge viewRevision = Gauge.builder().name("tapguard_agent_view_revision")
            .help("revision of the last view received").register(registry);
    final Gauge appliedRevision = Gauge.builder().name("tapguard_agent_applied_revision")
            .help("revision of the last view applied to the kernel").register(registry);
    private final AtomicLong lastContactNanos = new AtomicLong(System.nanoTime());
    private volatile boolean connected;

    public AgentMetrics(DoubleSupplier conntrackDeleted) {
        GaugeWithCallback.builder().name("tapguard_agent_feed_lag_seconds")
                .help("seconds since the server last answered, while it does not (0 when connected)")
                .callback(cb -> cb.call(connected ? 0 : (System.nanoTime() - lastContactNanos.get()) / 1e9))
                .register(registry);
        GaugeWithCallback.builder().name("tapguard_agent_conntrack_deleted")
                .help("conntrack entries cut because no rule allows them any more (since start)")
                .callback(cb -> cb.call(conntrackDeleted.getAsDouble())).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    void contact(boolean ok) {
        connected = ok;
        if (ok) {
            lastContactNanos.set(System.nanoTime());
        }
        feedConnected.set(ok ? 1 : 0);
    }

    void kernel(FirewallState s) {
        for (Family f : Family.values()) {
            for (String t : FirewallState.TABLES) {
                String fam = f == Family.IPV4 ? "ipv4" : "ipv6";
                chains.labelValues(fam, t).set(s.chainCount(f, t));
                rules.labelValues(fam, t).set(s.ruleCount(f, t));
            }
        }
        ipsetMembers.set(s.ipsetMemberCount());
    }

    /** Serves /metrics on host:port (port 0 = any); returns the server (its port via getPort()). */
    public HTTPServer serve(String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    public double restoreCalls(String tool) {
        return restoreCalls.labelValues(tool).get();
    }
}
