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
 * {@code ip netns exec} on both sides.
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
        System.out.printf(Locale.ROOT, "agent bench: %d ports (default + 20-rule web group, remote groups via ipset),"
                + " iptables backend: %s%n", ports, backend());

        double[] agentFull = new double[runs];
        double[] rawFull = new double[runs];
        Agent agent = null;
        String agentNs = null;
        String rawNs = null;
        Agent.CycleReport fullReport = null;
        FirewallPlan full = null;
        for (int r = 0; r < runs; r++) {
            if (agent != null) {
                agent.close();
                delete(agentNs);
                delete(rawNs);
            }
            agentNs = namespace("a" + r);
            rawNs = namespace("r" + r);
            agent = agent(agentNs);
            fullReport = agent.cycle(view);
            if (!fullReport.ok()) {
                throw new IllegalStateException("full sync failed: " + agent.lastError());
            }
            agentFull[r] = fullReport.totalMs();
            full = agent.lastPlan();
            rawFull[r] = raw(rawNs, full);
        }
        double agentFullMs = median(agentFull);
        double rawFullMs = median(rawFull);

        double[] aAdd = new double[portRuns];
        double[] rAdd = new double[portRuns];
        double[] aDel = new double[portRuns];
        double[] rDel = new double[portRuns];
        Agent.CycleReport addReport = null;
        for (int r = 0; r < portRuns; r++) {
            addReport = agent.cycle(plusOne);
            aAdd[r] = addReport.totalMs();
            rAdd[r] = raw(rawNs, agent.lastPlan());
            Agent.CycleReport del = agent.cycle(view);
            aDel[r] = del.totalMs();
            rDel[r] = raw(rawNs, agent.lastPlan());
            if (!addReport.ok() || !del.ok()) {
                throw new IllegalStateException("port add/remove failed: " + agent.lastError());
            }
        }

        double v4Before = agent.metrics().restoreCalls("iptables-restore");
        double v6Before = agent.metrics().restoreCalls("ip6tables-restore");
        double setsBefore = agent.metrics().restoreCalls("ipset");
        Agent.CycleReport member = agent.cycle(moreMembers);
        Agent.CycleReport memberBack = agent.cycle(view);
        double iptablesCalls = agent.metrics().restoreCalls("iptables-restore") - v4Before
                + agent.metrics().restoreCalls("ip6tables-restore") - v6Before;
        double ipsetCalls = agent.metrics().restoreCalls("ipset") - setsBefore;
        agent.close();

        int rules = 0;
        for (String p : full.restore().values()) {
            rules += (int) p.lines().filter(l -> l.startsWith("-A ") || l.startsWith("-I ")).count();
        }
        System.out.printf(Locale.ROOT, "payload of the full sync: %d rules (v4+v6, filter+raw), %d ipset lines%n%n",
                rules, full.stats().ipsetLines());
        System.out.printf(Locale.ROOT, "%-44s %12s %12s %8s  %s%n", "scenario (median)", "tapguard", "raw tools",
                "ratio", "target");
        row("full sync, " + ports + " ports", agentFullMs, rawFullMs, "<= 1.1x");
        row("add 1 port, " + ports + " present", median(aAdd), median(rAdd), "<= 2x and <= 100 ms");
        row("remove 1 port, " + ports + " present", median(aDel), median(rDel), "<= 2x and <= 100 ms");
        System.out.printf(Locale.ROOT, "%-44s %9.1f ms %12s %8s  %s%n", "remote-group member add + remove",
                (member.totalMs() + memberBack.totalMs()) / 2, "-", "-",
                String.format(Locale.ROOT, "iptables calls: %.0f (want 0), ipset calls: %.0f", iptablesCalls,
                        ipsetCalls));
        System.out.printf(Locale.ROOT, "%nfull sync breakdown (last run): %s%n", fullReport.summary());
        System.out.printf(Locale.ROOT, "add 1 port breakdown (last run): %s%n", addReport.summary());
        System.out.printf(Locale.ROOT, "member change: %s%n", member.summary());
        System.out.printf(Locale.ROOT, "(Neutron, PERFORMANCE.md: full resync ~10 s at 2000 ports on iptables-nft, add"
                + " one port ~80 s)%n");
        return iptablesCalls == 0 ? 0 : 1;
    }

    private static void row(String what, double agentMs, double rawMs, String target) {
        System.out.printf(Locale.ROOT, "%-44s %9.1f ms %9.1f ms %7.2fx  %s%n", what, agentMs, rawMs,
                agentMs / rawMs, target);
    }

    private Agent agent(String ns) {
        AgentConfig cfg = new AgentConfig(null, "bench-host", false, List.of(), null, ns, null, false, null,
                RenderOptions.DEFAULTS, null, "service", 25, Duration.ofHours(1), Duration.ofSeconds(300));
        return new Agent(cfg, new ProcessCommandRunner(ns));
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
