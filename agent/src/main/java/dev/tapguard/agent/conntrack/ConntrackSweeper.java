package dev.tapguard.agent.conntrack;

import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the connections that a removed rule or remote-group member no longer allows, in the port's own conntrack
 * zone, off the reconcile loop (a single worker keeps the deletes in the order they were asked for). Without this an
 * established flow would outlive the rule that allowed it: RELATED,ESTABLISHED is accepted before any group rule.
 */
public final class ConntrackSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackSweeper.class);
    private final CommandRunner runner;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tapguard-conntrack");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    public ConntrackSweeper(CommandRunner runner) {
        this.runner = runner;
    }

    public long deletedTotal() {
        return deleted.get();
    }

    /** Sweeps whose work has not finished yet. */
    public long pending() {
        return pending.get();
    }

    /** Zones up to this many are listed one by one ({@code -w ZONE}); more are read from one listing per family. */
    static final int LIST_PER_ZONE = 4;

    /**
     * Judges every entry in each port's zone against the view and deletes those no longer allowed. A member change
     * of a group that 2000 ports use sweeps 2000 zones: they are read from one {@code conntrack -L} per family, not
     * from 4000 processes.
     */
    public void sweep(HostView view, Map<Port, Integer> zones) {
        if (zones.isEmpty()) {
            return;
        }
        pending.incrementAndGet();
        worker.execute(() -> {
            try {
                for (boolean v6 : new boolean[] {false, true}) {
                    if (zones.size() <= LIST_PER_ZONE) {
                        zones.forEach((port, zone) -> sweepZone(view, port, zone, v6));
                    } else {
                        sweepAll(view, zones, v6);
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("conntrack sweep failed: {}", e.getMessage());
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    /** Deletes every entry of zones whose ports are gone. */
    public void flushZones(Iterable<Integer> zones) {
        pending.incrementAndGet();
        worker.execute(() -> {
            try {
                for (int zone : zones) {
                    for (String f : new String[] {"ipv4", "ipv6"}) {
                        runner.run(Command.of("conntrack", "-D", "-w", Integer.toString(zone), "-f", f));
                    }
                }
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void sweepZone(HostView view, Port port, int zone, boolean v6) {
        CommandResult list = runner.run(Command.of("conntrack", "-L", "-w", Integer.toString(zone), "-f",
                v6 ? "ipv6" : "ipv4"));
        if (!list.ok()) {
            LOG.warn("cannot list conntrack zone {}: {}", zone, list.describe());
            return;
        }
        for (ConntrackEntry e : ConntrackEntry.parseAll(list.stdout())) {
            if (e.zone() == zone) {
                cutIfNotAllowed(view, port, zone, e, v6);
            }
        }
    }

    private void sweepAll(HostView view, Map<Port, Integer> zones, boolean v6) {
        CommandResult list = runner.run(Command.of("conntrack", "-L", "-f", v6 ? "ipv6" : "ipv4"));
        if (!list.ok()) {
            LOG.warn("cannot list conntrack entries: {}", list.describe());
            return;
        }
        Map<Integer, Port> byZone = new java.util.HashMap<>();
        zones.forEach((port, zone) -> byZone.put(zone, port));
        for (ConntrackEntry e : ConntrackEntry.parseAll(list.stdout())) {
            Port port = byZone.get(e.zone());
            if (port != null) {
                cutIfNotAllowed(view, port, e.zone(), e, v6);
            }
        }
    }

    private void cutIfNotAllowed(HostView view, Port port, int zone, ConntrackEntry e, boolean v6) {
        if (FlowPolicy.judge(view, port, e) != FlowPolicy.Verdict.NOT_ALLOWED) {
            return;
        }
        CommandResult r = runner.run(Command.of(e.deleteArgs(v6)));
        if (r.ok()) {
            deleted.incrementAndGet();
            LOG.info("port {}: cut {} flow {} -> {} (zone {}): no rule allows it any more", port.id(),
                    e.protocol(), e.src(), e.dst(), zone);
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
