package dev.tapguard.bench;

import dev.tapguard.agent.Agent;
import dev.tapguard.agent.AgentConfig;
import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.firewall.FirewallPlan;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.netfilter.Family;
import dev.tapguard.render.DispatchBuckets;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * {@code bench/run agent}: the agent's kernel apply against the raw tools on the same payload, in throw-away network
 * namespaces, side by side in one run. Full sync of N ports (read-back, render, diff, ipset restore, iptables-restore
 * and ip6tables-restore) vs {@code ipset restore} + {@code iptables-restore -n} + {@code ip6tables-restore -n} of
 * exactly what the agent wrote; adding and removing one port with N present vs the raw {@code --noflush} apply of the
 * same chains; a remote-group member change (ipset only, zero iptables calls). Every process goes through
 * {@code ip netns exec} on both sides. The raw side replays the agent's own payload, so the ratio is what the agent
 * adds (render, diff, process handling); a second run in Neutron's layout of the dispatch chains (the agent with 0
 * buckets, and its payload through the raw tools) shows what the layout itself costs the kernel side.
 */
@picocli.CommandLine.Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Agent apply vs raw iptables-restore/ipset on the same payload, in a network namespace.")
final class AgentBench implements Callable<Integer> {
    @Option(names = "--ports", defaultValue = "2000")
    int ports;

    @Option(names = "--runs", defaultValue = "3", description = "full syncs measured (median)")
    int runs;

    @Option(names = "--port-runs", defaultValue = "7", description = "add/remove pairs measured (median)")
    int portRuns;

    @Option(names = "--warmup", defaultValue = "10", description = "untimed add/remove pairs on the kernel first")
    int warmup;

    @Option(names = "--jit-warmup", defaultValue = "300",
            description = "untimed add/remove pairs without a kernel first (JIT)")
    int jitWarmup;

    @Option(names = "--no-flat", description = "skip the reference run in Neutron's layout (shared dispatch chains)")
    boolean noFlat;

    @Option(names = "--dump", paramLabel = "DIR", description = "write the payloads (full sync, add, remove: "
            + "iptables-restore, ip6tables-restore and ipset input) into DIR, to replay or read them")
    java.nio.file.Path dump;

    private final List<String> namespaces = new ArrayList<>();
    private final String prefix = "tga" + String.format("%04x", new java.util.Random().nextInt(0x10000)) + "-b";

    @Override
    public Integer call() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanup));
        try {
            return run();
        } finally {
            cleanup();
        }
    }

    private int run() {
        HostView view = RenderScenario.hostView(ports);
        HostView plusOne = withExtraPort(view, ports);
        HostView moreMembers = withExtraMember(view, "10.250.0.7");
        for (int i = 0; i < 3; i++) {
            HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS); // JIT warm-up, untimed
        }
        warmUp(view, plusOne, moreMembers);
        System.out.printf(Locale.ROOT, "agent bench: %d ports (default + 20-rule web group, remote groups via ipset),"
                + " iptables backend: %s, load average before: %s%n", ports, backend(), loadAverage());

        Side bucketed = side(DispatchBuckets.DEFAULT, runs, view, plusOne);
        double v4Before = bucketed.agent.metrics().restoreCalls("iptables-restore");
        double v6Before = bucketed.agent.metrics().restoreCalls("ip6tables-restore");
        double setsBefore = bucketed.agent.metrics().restoreCalls("ipset");
        Agent.CycleReport member = bucketed.agent.cycle(moreMembers);
        Agent.CycleReport memberBack = bucketed.agent.cycle(view);
        double iptablesCalls = bucketed.agent.metrics().restoreCalls("iptables-restore") - v4Before
                + bucketed.agent.metrics().restoreCalls("ip6tables-restore") - v6Before;
        double ipsetCalls = bucketed.agent.metrics().restoreCalls("ipset") - setsBefore;
        bucketed.agent.close();
        Side flat = noFlat ? null : side(0, 1, view, plusOne);
        if (flat != null) {
            flat.agent.close();
        }

        int rules = 0;
        for (String p : bucketed.full.restore().values()) {
            rules += (int) p.lines().filter(l -> l.startsWith("-A ") || l.startsWith("-I ")).count();
        }
        System.out.printf(Locale.ROOT, "payload of the full sync: %d rules (v4+v6, filter+raw), %d ipset lines%n%n",
                rules, bucketed.full.stats().ipsetLines());
        System.out.printf(Locale.ROOT, "%-52s %12s %12s %8s  %s%n", "scenario (median)", "tapguard",
                "raw tools", "ratio", "target");
        row("full sync, " + ports + " ports", bucketed.fullMs, bucketed.rawFullMs, "<= 1.1x");
        row("add 1 port, " + ports + " present", bucketed.addMs, bucketed.rawAddMs, "<= 2x and <= 100 ms");
        row("remove 1 port, " + ports + " present", bucketed.delMs, bucketed.rawDelMs, "<= 2x and <= 100 ms");
        System.out.printf(Locale.ROOT, "%-52s %9.1f ms %12s %8s  %s%n", "remote-group member add + remove",
                (member.totalMs() + memberBack.totalMs()) / 2, "-", "-",
                String.format(Locale.ROOT, "iptables calls: %.0f (want 0), ipset calls: %.0f", iptablesCalls,
                        ipsetCalls));
        if (flat != null) {
            System.out.printf(Locale.ROOT, "%nreference: Neutron's layout (every port's dispatch rules in the four"
                    + " shared chains), same scenario, 1 full sync%n");
            row("  full sync, " + ports + " ports (shared chains)", flat.fullMs, flat.rawFullMs, "");
            row("  add 1 port (shared chains)", flat.addMs, flat.rawAddMs, "");
            row("  remove 1 port (shared chains)", flat.delMs, flat.rawDelMs, "");
        }
        System.out.printf(Locale.ROOT, "%nfull sync breakdown (last run): %s%n", bucketed.fullReport.summary());
        System.out.printf(Locale.ROOT, "add 1 port breakdown (median run): %s%n", bucketed.addReport.summary());
        System.out.printf(Locale.ROOT, "remove 1 port breakdown (median run): %s%n", bucketed.delReport.summary());
        System.out.printf(Locale.ROOT, "member change: %s%n", member.summary());
        System.out.printf(Locale.ROOT, "load average after: %s%n", loadAverage());
        System.out.printf(Locale.ROOT, "(Neutron, PERFORMANCE.md: full resync ~10 s at 2000 ports on iptables-nft, add"
                + " one port ~80 s)%n");
        return iptablesCalls == 0 ? 0 : 1;
    }

    /** One layout's figures: the agent and the raw tools, each in its own namespace. */
    private static final class Side {
        Agent agent;
        FirewallPlan full;
        Agent.CycleReport fullReport;
        Agent.CycleReport addReport;
        Agent.CycleReport delReport;
        double fullMs;
        double rawFullMs;
        double addMs;
        double rawAddMs;
        double delMs;
        double rawDelMs;
    }

    private Side side(int buckets, int fullRuns, HostView view, HostView plusOne) {
        Side s = new Side();
        double[] agentFull = new double[fullRuns];
        double[] rawFull = new double[fullRuns];
        String tag = buckets == 0 ? "f" : "b";
        String agentNs = null;
        String rawNs = null;
        for (int r = 0; r < fullRuns; r++) {
            if (s.agent != null) {
                s.agent.close();
                delete(agentNs);
                delete(rawNs);
            }
            agentNs = namespace(tag + "a" + r);
            rawNs = namespace(tag + "r" + r);
            s.agent = agent(agentNs, buckets);
            s.fullReport = s.agent.cycle(view);
            if (!s.fullReport.ok()) {
                throw new IllegalStateException("full sync failed: " + s.agent.lastError());
            }
            agentFull[r] = s.fullReport.totalMs();
            s.full = s.agent.lastPlan();
            rawFull[r] = raw(rawNs, s.full);
        }
        dump(tag + "-full", s.full);
        s.fullMs = median(agentFull);
        s.rawFullMs = median(rawFull);

        // a running agent has compiled its incremental path long ago: warm it up, untimed, on the same kernel
        for (int r = 0; r < warmup; r++) {
            s.agent.cycle(plusOne);
            s.agent.cycle(view);
        }
        double[] aAdd = new double[portRuns];
        double[] rAdd = new double[portRuns];
        double[] aDel = new double[portRuns];
        double[] rDel = new double[portRuns];
        Agent.CycleReport[] adds = new Agent.CycleReport[portRuns];
        Agent.CycleReport[] dels = new Agent.CycleReport[portRuns];
        for (int r = 0; r < portRuns; r++) {
            adds[r] = s.agent.cycle(plusOne);
            aAdd[r] = adds[r].totalMs();
            rAdd[r] = raw(rawNs, s.agent.lastPlan());
            if (r == 0) {
                dump(tag + "-add", s.agent.lastPlan());
            }
            dels[r] = s.agent.cycle(view);
            if (r == 0) {
                dump(tag + "-remove", s.agent.lastPlan());
            }
            aDel[r] = dels[r].totalMs();
            rDel[r] = raw(rawNs, s.agent.lastPlan());
            if (!adds[r].ok() || !dels[r].ok()) {
                throw new IllegalStateException("port add/remove failed: " + s.agent.lastError());
            }
        }
        s.addMs = median(aAdd);
        s.rawAddMs = median(rAdd);
        s.delMs = median(aDel);
        s.rawDelMs = median(rDel);
        s.addReport = medianReport(adds);
        s.delReport = medianReport(dels);
        return s;
    }

    /**
     * A running agent has compiled its incremental path long ago: the same cycles, untimed, against a runner that
     * succeeds at once (no kernel), until the JIT has compiled them.
     */
    private void warmUp(HostView view, HostView plusOne, HostView moreMembers) {
        AgentConfig cfg = new AgentConfig(null, "bench-host", false, List.of(), null, null, null, false, null,
                RenderOptions.DEFAULTS, null, "service", 25, Duration.ofHours(1), Duration.ofSeconds(300));
        for (int buckets : new int[] {DispatchBuckets.DEFAULT, 0}) {
            try (Agent a = new Agent(cfg, AgentCycleBenchmark.INSTANT, buckets)) {
                a.cycle(view);
                for (int i = 0; i < jitWarmup; i++) {
                    a.cycle(plusOne);
                    a.cycle(view);
                    if (i % 4 == 0) {
                        a.cycle(moreMembers);
                        a.cycle(view);
                    }
                }
            }
        }
    }

    private void dump(String name, FirewallPlan plan) {
        if (dump == null) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(dump);
            for (Map.Entry<Family, String> e : plan.restore().entrySet()) {
                java.nio.file.Files.writeString(dump.resolve(name + "." + e.getKey().command() + "-restore"),
                        e.getValue());
            }
            if (plan.ipsetUpdate() != null) {
                java.nio.file.Files.writeString(dump.resolve(name + ".ipset"), plan.ipsetUpdate());
            }
            if (plan.ipsetDestroy() != null) {
                java.nio.file.Files.writeString(dump.resolve(name + ".ipset-destroy"), plan.ipsetDestroy());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Agent.CycleReport medianReport(Agent.CycleReport[] reports) {
        Agent.CycleReport[] sorted = reports.clone();
        Arrays.sort(sorted, java.util.Comparator.comparingDouble(Agent.CycleReport::totalMs));
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void row(String what, double agentMs, double rawMs, String target) {
        System.out.printf(Locale.ROOT, "%-52s %9.1f ms %9.1f ms %7.2fx  %s%n", what, agentMs, rawMs,
                agentMs / rawMs, target);
    }

    private Agent agent(String ns, int buckets) {
        AgentConfig cfg = new AgentConfig(null, "bench-host", false, List.of(), null, ns, null, false, null,
                RenderOptions.DEFAULTS, null, "service", 25, Duration.ofHours(1), Duration.ofSeconds(300));
        return new Agent(cfg, new ProcessCommandRunner(ns), buckets);
    }

    /** The plan's payloads through the raw tools, in the order the agent runs them; milliseconds. */
    private static double raw(String ns, FirewallPlan plan) {
        ProcessCommandRunner r = new ProcessCommandRunner(ns);
        List<Command> cmds = new ArrayList<>();
        if (plan.ipsetUpdate() != null) {
            cmds.add(Command.of("ipset", "-exist", "restore").withStdin(plan.ipsetUpdate()));
        }
        for (Map.Entry<Family, String> e : plan.restore().entrySet()) {
            cmds.add(Command.of(e.getKey().command() + "-restore", "-n", "-w", "10").withStdin(e.getValue()));
        }
        if (plan.ipsetDestroy() != null) {
            cmds.add(Command.of("ipset", "-exist", "restore").withStdin(plan.ipsetDestroy()));
        }
        long t0 = System.nanoTime();
        // same order as the agent: sets first, the two families side by side, set destroys last
        List<java.util.concurrent.CompletableFuture<CommandResult>> fams = new ArrayList<>();
        for (Command c : cmds) {
            if (c.program().equals("ipset") && !fams.isEmpty()) {
                fams.forEach(f -> check(f.join()));
                fams.clear();
            }
            if (c.program().equals("ipset")) {
                check(r.run(c.withTimeout(Duration.ofSeconds(300))));
            } else {
                fams.add(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> r.run(c.withTimeout(Duration.ofSeconds(300)))));
            }
        }
        fams.forEach(f -> check(f.join()));
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void check(CommandResult res) {
        if (!res.ok()) {
            throw new IllegalStateException("raw apply failed: " + res.describe());
        }
    }

    static HostView withExtraPort(HostView v, int i) {
        List<Port> ports = new ArrayList<>(v.ports());
        ports.add(RenderScenario.port(i));
        Map<String, List<String>> members = new LinkedHashMap<>();
        v.members().forEach((g, m) -> {
            List<String> l = new ArrayList<>(m);
            l.add(RenderScenario.ip4(i));
            members.put(g, l);
        });
        return new HostView(v.host(), v.revision() + 1, ports, v.securityGroups(), members, v.networks());
    }

    static HostView withExtraMember(HostView v, String ip) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        v.members().forEach((g, m) -> {
            List<String> l = new ArrayList<>(m);
            if (g.equals(RenderScenario.WEB_SG)) {
                l.add(ip);
            }
            members.put(g, l);
        });
        return new HostView(v.host(), v.revision() + 1, v.ports(), v.securityGroups(), members, v.networks());
    }

    private String namespace(String suffix) {
        String ns = prefix + suffix;
        CommandResult r = new ProcessCommandRunner().run(Command.of("ip", "netns", "add", ns));
        if (!r.ok()) {
            throw new IllegalStateException(r.describe());
        }
        namespaces.add(ns);
        return ns;
    }

    private void delete(String ns) {
        new ProcessCommandRunner().run(Command.of("ip", "netns", "del", ns));
        namespaces.remove(ns);
    }

    private synchronized void cleanup() {
        for (String ns : new ArrayList<>(namespaces)) {
            delete(ns);
        }
    }

    private static String backend() {
        String v = new ProcessCommandRunner().run(Command.of("iptables", "--version")).stdout().strip();
        return v.isEmpty() ? "unknown" : v;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
