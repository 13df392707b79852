package dev.tapguard.agent;

import dev.tapguard.agent.conntrack.ConntrackSweeper;
import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.feed.FeedClient;
import dev.tapguard.agent.feed.FeedListener;
import dev.tapguard.agent.firewall.DesiredState;
import dev.tapguard.agent.firewall.FirewallApplier;
import dev.tapguard.agent.firewall.FirewallPlan;
import dev.tapguard.agent.firewall.FirewallPlanner;
import dev.tapguard.agent.firewall.FirewallReader;
import dev.tapguard.agent.firewall.FirewallState;
import dev.tapguard.agent.firewall.Guard;
import dev.tapguard.agent.firewall.OwnedRule;
import dev.tapguard.agent.firewall.Ownership;
import dev.tapguard.agent.firewall.TableState;
import dev.tapguard.agent.plumbing.OvsClient;
import dev.tapguard.agent.plumbing.PlumbingApplier;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.DispatchBuckets;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.KernelState;
import dev.tapguard.render.RenderMemo;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.render.Rendered;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: follows the server's view of this host and keeps the kernel equal to its rendering. One reconcile
 * thread; each cycle unplugs ports that are gone, writes only what changed (one restore per family, ipset restore
 * around it), then plugs new ports. Nothing is written before the first full view. A port whose rules could not be
 * applied is dropped (guard chain and dead VLAN) until a retry, with backoff, succeeds.
 */
public final class Agent implements AutoCloseable, FeedListener {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig cfg;
    private final CommandRunner runner;
    private final Ownership own;
    private final FirewallReader reader;
    private final FirewallApplier applier;
    private final PlumbingApplier plumbing;
    private final ConntrackSweeper conntrack;
    private final AgentMetrics metrics;
    private final FeedClient feed;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private HostView latest;
    private boolean dirty;
    private volatile boolean running;
    private Thread loop;
    private HTTPServer metricsServer;

    // reconcile-thread state
    private FirewallState predicted;
    private FirewallPlan lastPlan;
    private boolean readBack = true;
    private final DesiredState.Memo desiredMemo = new DesiredState.Memo();
    /** The render options with the dispatch layout the agent writes (buckets, or Neutron's shared chains). */
    private final RenderOptions renderOptions;
    private final Set<String> blocked = new TreeSet<>();
    private Map<String, Integer> zones = Map.of();
    private List<List<OwnedRule>> zoneParts;
    private KernelState zoneKernel;
    private Map<List<OwnedRule>, List<Rule>> zoneRules = new java.util.IdentityHashMap<>();
    private RenderMemo renderMemo;
    private FirewallState metricsState;
    private Map<List<Rule>, List<String>> setRefs = new java.util.IdentityHashMap<>();
    private long retryAtNanos = Long.MAX_VALUE;
    private long backoffMillis = 1000;
    private long resyncAtNanos;
    private volatile long appliedRevision = -1;
    private volatile boolean inSync;
    private volatile String lastError;
    private String trouble;

    public Agent(AgentConfig cfg, CommandRunner runner) {
        this(cfg, runner, DispatchBuckets.DEFAULT);
    }

    /**
     * With the dispatch rules in {@code dispatchBuckets} bucket chains per shared chain (docs/AGENT.md), or, with 0,
     * in Neutron's shared chains (the bench compares the two).
     */
    public Agent(AgentConfig cfg, CommandRunner runner, int dispatchBuckets) {
        this.cfg = cfg;
        this.renderOptions = cfg.renderOptions().withDispatchBuckets(dispatchBuckets);
        this.runner = runner;
        this.own = new Ownership(cfg.renderOptions().wrapName());
        this.reader = new FirewallReader(runner, own, cfg.commandTimeout());
        this.applier = new FirewallApplier(runner, cfg.commandTimeout());
        this.plumbing = cfg.plumbing() ? new PlumbingApplier(runner, new OvsClient(runner, cfg.ovsRundir()),
                new PlumbingApplier.Config(cfg.lab(), "br-int", cfg.mappings(), cfg.datapathType())) : null;
        this.conntrack = new ConntrackSweeper(runner);
        this.metrics = new AgentMetrics(() -> conntrack.deletedTotal());
        this.feed = cfg.server() == null ? null : new FeedClient(new FeedClient.Config(cfg.server(), cfg.host(),
                cfg.feedWait(), cfg.authToken(), cfg.noauthRole()), this);
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    public long appliedRevision() {
        return appliedRevision;
    }

    public boolean inSync() {
        return inSync;
    }

    /** The plan of the last cycle (the bench replays its payloads with the raw tools). */
    public FirewallPlan lastPlan() {
        return lastPlan;
    }

    /** What the agent believes Tapguard has in the kernel (tests compare it with a read-back). */
    FirewallState predicted() {
        return predicted;
    }

    public String lastError() {
        return lastError;
    }

    /** The metrics server's port, or -1. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.getPort();
    }

    /** Preflight, plumbing setup, metrics, then the feed and the reconcile loop. Throws if the host is unusable. */
    public void start() throws IOException {
        String backend = new Preflight(runner, own, plumbing != null).check();
        LOG.info("preflight ok: iptables backend {}, host {}, server {}", backend, cfg.host(), cfg.server());
        if (plumbing != null) {
            plumbing.start();
            metrics.portsPlumbed.set(plumbing.plumbedCount());
        }
        if (cfg.metricsListen() != null) {
            int colon = cfg.metricsListen().lastIndexOf(':');
            String h = colon > 0 ? cfg.metricsListen().substring(0, colon) : "127.0.0.1";
            int p = Integer.parseInt(cfg.metricsListen().substring(colon + 1));
            metricsServer = metrics.serve(h, p);
            LOG.info("metrics on http://{}:{}/metrics", h, metricsServer.getPort());
        }
        metrics.inSync.set(0);
        running = true;
        resyncAtNanos = System.nanoTime() + cfg.resyncInterval().toNanos();
        loop = new Thread(this::loop, "tapguard-reconcile");
        loop.start();
        if (feed != null) {
            feed.start();
        }
    }

    /** Hands a view to the reconcile loop (the feed does this; tests and the bench may too). */
    @Override
    public void onView(HostView view) {
        metrics.contact(true);
        metrics.viewRevision.set(view.revision());
        if (trouble != null) {
            LOG.info("server reachable again (revision {})", view.revision());
            trouble = null;
        }
        lock.lock();
        try {
            latest = view;
            dirty = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onUnchanged(long revision) {
        metrics.contact(true);
        if (trouble != null) {
            LOG.info("server reachable again (revision {})", revision);
            trouble = null;
        }
    }

    @Override
    public void onTrouble(String why) {
        metrics.contact(false);
        if (!why.equals(trouble)) {
            trouble = why;
            LOG.warn("{}: keeping the rules last applied ({})", why,
                    appliedRevision < 0 ? "none yet: nothing is written before the first full view"
                            : "revision " + appliedRevision);
        }
    }

    private void loop() {
        while (running) {
            HostView view;
            lock.lock();
            try {
                long now = System.nanoTime();
                while (running && !(latest != null && (dirty || now >= retryAtNanos || now >= resyncAtNanos))) {
                    long until = Math.min(retryAtNanos, resyncAtNanos) - now;
                    if (until <= 0 && latest == null) {
                        until = TimeUnit.SECONDS.toNanos(1);
                        resyncAtNanos = now + cfg.resyncInterval().toNanos();
                    }
                    try {
                        wake.awaitNanos(Math.max(until, 1_000_000));
                    } catch (InterruptedException e) {
                        if (!running) {
                            return;
                        }
                    }
                    now = System.nanoTime();
                }
                if (!running) {
                    return;
                }
                if (now >= resyncAtNanos) {
                    readBack = true;
                    resyncAtNanos = now + cfg.resyncInterval().toNanos();
                }
                view = latest;
                dirty = false;
            } finally {
                lock.unlock();
            }
            try {
                cycle(view);
            } catch (RuntimeException e) {
                LOG.error("reconcile of revision {} failed", view.revision(), e);
                failed("reconcile failed: " + e);
            }
        }
    }

    /** One reconcile: bring kernel and plumbing to the view. Public for the bench, which drives it directly. */
    public CycleReport cycle(HostView view) {
        long t0 = System.nanoTime();
        if (readBack) {
            predicted = reader.read();
            readBack = false;
        }
        // incremental: the same result as a full render, unchanged ports keep their rule objects
        Rendered rendered = HybridIptablesRenderer.render(view, renderOptions, zoneState(predicted), renderMemo);
        renderMemo = rendered.memo();
        RenderResult rr = rendered.result();
        long tRender = System.nanoTime();
        FirewallState desired = DesiredState.of(rr.ruleset(), own, Map.of(), desiredMemo);
        FirewallPlan plan = FirewallPlanner.plan(desired, predicted);
        lastPlan = plan;
        long tPlan = System.nanoTime();
        Set<String> viewPorts = new HashSet<>();
        view.ports().forEach(p -> viewPorts.add(p.id()));
        if (plumbing != null) {
            // unplug first: a port must never be bridged after its rules are gone
            plumbing.unplugGone(viewPorts);
        }
        FirewallApplier.Outcome out = plan.empty() ? new FirewallApplier.Outcome(List.of(), true)
                : applier.apply(plan);
        long tApply = System.nanoTime();
        for (FirewallApplier.Step s : out.steps()) {
            metrics.restoreCalls.labelValues(s.tool()).inc();
            if (!s.ok()) {
                metrics.restoreErrors.labelValues(s.tool()).inc();
            }
        }
        boolean ok = out.ok();
        if (ok) {
            Map<String, Integer> oldZones = zones;
            predicted = plan.next();
            blocked.clear();
            sweepConntrack(view, rr, plan, oldZones);
            zones = rr.zones();
        } else {
            // when the ipset step succeeded and a restore failed, the sets are current: only chains are pending
            boolean setsApplied = !out.failure().tool().equals("ipset");
            Set<String> affected = affectedPorts(rr, plan, desired, setsApplied);
            LOG.error("revision {}: {} failed: {}; {} port(s) fail closed until a retry succeeds: {}",
                    view.revision(), out.failure().tool(), out.failure().result().describe(), affected.size(),
                    affected);
            blocked.addAll(affected);
            blocked.retainAll(viewPorts);
            guard(view);
        }
        String plumbError = null;
        if (plumbing != null) {
            PlumbingApplier.Result pr = plumbing.reconcile(view, blocked);
            metrics.portsPlumbed.set(pr.plumbed().size());
            if (!pr.errors().isEmpty()) {
                plumbError = "plumbing: " + pr.errors();
                LOG.warn("revision {}: {}", view.revision(), plumbError);
            }
            if (!pr.waiting().isEmpty()) {
                LOG.info("revision {}: waiting for the tap of port(s) {}", view.revision(), pr.waiting());
            }
        }
        metrics.portsBlocked.set(blocked.size());
        long tEnd = System.nanoTime();
        if (!plan.empty()) {
            metrics.applyDuration.observe((tEnd - t0) / 1e9);
        }
        if (predicted != metricsState) {
            // counting every chain's rules is O(rules): only when the kernel state changed
            metrics.kernel(predicted);
            metricsState = predicted;
        }
        CycleReport report = new CycleReport(view.revision(), ok, plan.stats(), out.steps().size(),
                (tRender - t0) / 1e6, (tPlan - tRender) / 1e6, (tApply - tPlan) / 1e6, (tEnd - t0) / 1e6);
        if (ok && plumbError == null) {
            appliedRevision = view.revision();
            metrics.appliedRevision.set(view.revision());
            inSync = true;
            metrics.inSync.set(1);
            lastError = null;
            retryAtNanos = Long.MAX_VALUE;
            backoffMillis = 1000;
            if (!plan.empty()) {
                LOG.info("applied revision {}: {}", view.revision(), report.summary());
            }
        } else {
            failed(ok ? plumbError : out.failure().result().describe());
        }
        return report;
    }

    /** What one cycle did, for logs and the bench. Times in milliseconds. */
    public record CycleReport(long revision, boolean ok, FirewallPlan.Stats stats, int processes, double renderMs,
                              double planMs, double applyMs, double totalMs) {
        public String summary() {
            return String.format("%d chain(s) written with %d rule(s), %d rule edit(s), %d hook edit(s), %d chain(s)"
                    + " removed, %d ipset line(s), %d process(es); render %.1f ms, diff %.1f ms, apply %.1f ms,"
                    + " total %.1f ms", stats.chainsWritten(), stats.rulesWritten(), stats.ruleEdits(),
                    stats.hookEdits(), stats.chainsRemoved(), stats.ipsetLines(), processes, renderMs, planMs,
                    applyMs, totalMs);
        }
    }

    private void failed(String why) {
        lastError = why;
        inSync = false;
        metrics.inSync.set(0);
        metrics.applyFailures.inc();
        readBack = true;
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        LOG.warn("retrying in {} ms", backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 30_000);
    }

    /**
     * Installs the guard DROPs of the blocked ports: a small restore on top of what the kernel has now, or, if
     * restore itself is what fails, one {@code iptables -I} per rule. The dead VLAN (plumbing) blocks them too.
     */
    private void guard(HostView view) {
        if (blocked.isEmpty()) {
            return;
        }
        Map<String, String> taps = new LinkedHashMap<>();
        HostNames names = HostNames.of(view.ports().stream().map(Port::id).toList(), List.of());
        for (String id : blocked) {
            taps.put(id, names.port(id).tap());
        }
        try {
            FirewallState now = reader.read();
            predicted = now;
            FirewallPlan g = FirewallPlanner.plan(Guard.with(now, own, taps), now);
            FirewallApplier.Outcome o = g.empty() ? new FirewallApplier.Outcome(List.of(), true) : applier.apply(g);
            o.steps().forEach(s -> metrics.restoreCalls.labelValues(s.tool()).inc());
            if (o.ok()) {
                predicted = g.next();
                return;
            }
            metrics.restoreErrors.labelValues(o.failure().tool()).inc();
            LOG.warn("guard restore failed too ({}); inserting the guard rules one by one",
                    o.failure().result().describe());
        } catch (RuntimeException e) {
            LOG.warn("cannot read the kernel state to install the guard: {}", e.getMessage());
        }
        for (Family f : Family.values()) {
            String tool = f.command();
            runner.run(Command.of(tool, "-w", "10", "-N", own.guardChain()));
            for (String b : List.of("FORWARD", "INPUT")) {
                CommandResult check = runner.run(Command.of(tool, "-w", "10", "-C", b, "-j", own.guardChain()));
                if (!check.ok()) {
                    runner.run(Command.of(tool, "-w", "10", "-I", b, "1", "-j", own.guardChain()));
                }
            }
            taps.forEach((port, tap) -> {
                for (Rule r : DesiredState.guardRules(port, tap)) {
                    List<String> argv = new ArrayList<>(List.of(tool, "-w", "10", "-I", own.guardChain(), "1"));
                    argv.addAll(words(r.text()));
                    CommandResult res = runner.run(Command.of(argv));
                    if (!res.ok()) {
                        LOG.error("port {}: cannot install its guard DROP: {}", port, res.describe());
                    }
                }
            });
        }
        readBack = true;
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(text);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    /** Ports whose desired rules were part of the failed plan: their chains, their dispatch rules, their sets. */
    private Set<String> affectedPorts(RenderResult rr, FirewallPlan plan, FirewallState desired,
                                      boolean setsApplied) {
        Set<String> out = new TreeSet<>();
        Ruleset rs = rr.ruleset();
        Set<String> changedSets = new HashSet<>();
        if (!setsApplied) {
            changedSets.addAll(plan.shrunkSets());
            desired.ipsets().forEach((name, s) -> {
                var have = predicted.ipsets().get(name);
                if (have == null || !have.members().equals(s.members())) {
                    changedSets.add(name);
                }
            });
        }
        for (Family f : Family.values()) {
            for (String tn : FirewallState.TABLES) {
                TableState want = desired.table(f, tn);
                TableState have = predicted.table(f, tn);
                Table rendered = rs.table(f, tn);
                if (rendered == null) {
                    continue;
                }
                for (Chain c : rendered.chains()) {
                    List<OwnedRule> w = want.chains().get(c.name());
                    if (w == null) {
                        continue;
                    }
                    List<OwnedRule> h = have.chains().get(c.name());
                    String chainPort = rs.chainPorts().get(c.name());
                    if (chainPort != null && (h == null || !FirewallPlanner.sameKeys(h, w))) {
                        out.add(chainPort);
                    }
                    Set<String> haveKeys = new HashSet<>();
                    if (h != null) {
                        h.forEach(r -> haveKeys.add(r.key()));
                    }
                    for (int i = 0; i < c.rules().size() && i < w.size(); i++) {
                        Rule r = c.rules().get(i);
                        String port = r.provenance() != null && r.provenance().portId() != null
                                ? r.provenance().portId() : chainPort;
                        if (port == null) {
                            continue;
                        }
                        boolean pending = !haveKeys.contains(w.get(i).key());
                        for (Match m : r.matches()) {
                            if (m instanceof Match.Set s && changedSets.contains(s.setName())) {
                                pending = true;
                            }
                        }
                        if (pending) {
                            out.add(port);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** After a successful apply: cut flows in the zones of ports that lost rules or remote members, flush gone ports. */
    private void sweepConntrack(HostView view, RenderResult rr, FirewallPlan plan, Map<String, Integer> oldZones) {
        List<Integer> gone = new ArrayList<>();
        oldZones.forEach((port, zone) -> {
            if (!rr.zones().containsKey(port)) {
                gone.add(zone);
            }
        });
        if (!gone.isEmpty()) {
            conntrack.flushZones(gone);
        }
        Set<String> ports = new HashSet<>();
        Ruleset rs = rr.ruleset();
        Map<List<Rule>, List<String>> nextSetRefs = new java.util.IdentityHashMap<>();
        for (String chain : plan.changedChains()) {
            String port = rs.chainPorts().get(chain);
            if (port != null) {
                ports.add(port);
            }
        }
        if (!plan.shrunkSets().isEmpty()) {
            for (Family f : Family.values()) {
                Table filter = rs.table(f, "filter");
                if (filter == null) {
                    continue;
                }
                for (Chain c : filter.chains()) {
                    String port = rs.chainPorts().get(c.name());
                    if (port == null || ports.contains(port)) {
                        continue;
                    }
                    for (String set : setsUsed(c.rules(), nextSetRefs)) {
                        if (plan.shrunkSets().contains(set)) {
                            ports.add(port);
                            break;
                        }
                    }
                }
            }
            setRefs = nextSetRefs;
        }
        Map<Port, Integer> targets = new LinkedHashMap<>();
        for (Port p : view.ports()) {
            Integer zone = rr.zones().get(p.id());
            if (ports.contains(p.id()) && zone != null && oldZones.containsKey(p.id())) {
                targets.put(p, zone);
            }
        }
        conntrack.sweep(view, targets);
    }

    /**
     * The ipsets a chain's rules match on; remembered per rule list (the renderer hands back the same list for an
     * unchanged chain), so a member change does not scan every rule of every port.
     */
    private List<String> setsUsed(List<Rule> rules, Map<List<Rule>, List<String>> next) {
        List<String> sets = setRefs.get(rules);
        if (sets == null) {
            Set<String> found = new java.util.LinkedHashSet<>();
            for (Rule r : rules) {
                for (Match m : r.matches()) {
                    if (m instanceof Match.Set s) {
                        found.add(s.setName());
                    }
                }
            }
            sets = List.copyOf(found);
        }
        next.put(rules, sets);
        return sets;
    }

    /**
     * The renderer's view of the kernel for zone recovery: our raw PREROUTING chain and its buckets as last written
     * or read. The same object as last cycle while those are the same lists, so the renderer keeps what it recovered.
     */
    private KernelState zoneState(FirewallState s) {
        List<List<OwnedRule>> parts = new ArrayList<>();
        for (Family f : Family.values()) {
            s.table(f, "raw").chains().forEach((name, rules) -> {
                if (zoneChain(name)) {
                    parts.add(rules);
                }
            });
            parts.add(null);
        }
        if (zoneParts != null && zoneParts.size() == parts.size()) {
            boolean same = true;
            for (int i = 0; i < parts.size() && same; i++) {
                same = parts.get(i) == zoneParts.get(i);
            }
            if (same) {
                return zoneKernel;
            }
        }
        Map<Family, SaveDump> dumps = new EnumMap<>(Family.class);
        Map<List<OwnedRule>, List<Rule>> nextZoneRules = new java.util.IdentityHashMap<>();
        for (Family f : Family.values()) {
            List<Chain> chains = new ArrayList<>();
            chains.add(new Chain("PREROUTING", "ACCEPT", List.of()));
            chains.add(new Chain("OUTPUT", "ACCEPT", List.of()));
            s.table(f, "raw").chains().forEach((name, rules) -> {
                if (zoneChain(name)) {
                    // the same rule list for an unchanged chain, so the renderer keeps what it read from it
                    List<Rule> rs = zoneRules.get(rules);
                    if (rs == null) {
                        List<Rule> l = new ArrayList<>(rules.size());
                        rules.forEach(r -> l.add(r.rule()));
                        rs = List.copyOf(l);
                    }
                    nextZoneRules.put(rules, rs);
                    chains.add(new Chain(name, null, rs));
                }
            });
            dumps.put(f, new SaveDump(List.of(new Table("raw", chains)), List.of()));
        }
        zoneRules = nextZoneRules;
        zoneParts = parts;
        zoneKernel = new KernelState(dumps);
        return zoneKernel;
    }

    private boolean zoneChain(String name) {
        return name.equals(own.wrap() + "-PREROUTING")
                || name.startsWith(own.wrap() + "-PRE-") && DispatchBuckets.isBucket(name);
    }

    /** Conntrack sweeps still running (tests wait for 0). */
    public long conntrackPending() {
        return conntrack.pending();
    }

    @Override
    public void close() {
        running = false;
        if (feed != null) {
            feed.stop();
        }
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (loop != null) {
            try {
                loop.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        conntrack.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
    }
}
