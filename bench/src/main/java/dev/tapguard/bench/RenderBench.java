package dev.tapguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.model.HostView;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/run render}: Tapguard's full render of neutron_render_bench.py's scenario, side by side with
 * Neutron's own driver on the same machine in the same run, with the ratio and the memory the render takes.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Full render of N ports (default + 20-rule group with remote groups, ipset on) vs Neutron.")
final class RenderBench implements Callable<Integer> {
    @Option(names = "--ports", defaultValue = "2000")
    int ports;

    @Option(names = "--runs", defaultValue = "31", description = "measured runs (median reported)")
    int runs;

    @Option(names = "--warmup-seconds", defaultValue = "8",
            description = "untimed renders first, until the JIT has compiled the render (a running agent is warm)")
    int warmupSeconds;

    @Option(names = "--neutron-runs", defaultValue = "3")
    int neutronRuns;

    @Option(names = "--no-neutron", description = "skip the Neutron reference")
    boolean noNeutron;

    @Override
    public Integer call() throws Exception {
        HostView view = RenderScenario.hostView(ports);
        RenderOptions opt = RenderOptions.DEFAULTS;
        // warm up the JIT the way a long-running agent is warm: 30 renders left C2 compiling during the measured runs
        // (median 40-55 ms, min 25), a few seconds of renders do not (median 24 ms, the same as after 150 runs)
        long warmUntil = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        for (int i = 0; i < 30 || System.nanoTime() < warmUntil; i++) {
            RestorePayload.of(HybridIptablesRenderer.render(view, opt));
        }
        double[] render = new double[runs];
        double[] withPayload = new double[runs];
        RenderResult result = null;
        int payloadBytes = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            result = HybridIptablesRenderer.render(view, opt);
            long t1 = System.nanoTime();
            payloadBytes = RestorePayload.of(result).length();
            long t2 = System.nanoTime();
            render[i] = (t1 - t0) / 1e6;
            withPayload[i] = (t2 - t0) / 1e6;
        }
        int rules = result.ruleset().ruleCount();

        // memory of one render: bytes allocated, heap retained by the result, heap peak while rendering
        result = null;
        System.gc();
        long before = usedHeap();
        resetPeaks();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long alloc0 = allocatedByAllThreads(threads);
        RenderResult kept = HybridIptablesRenderer.render(view, opt);
        long allocated = allocatedByAllThreads(threads) - alloc0;
        long peak = peakHeap();
        System.gc();
        long retained = usedHeap() - before;
        if (kept.ruleset().ruleCount() != rules) {
            throw new IllegalStateException("renders differ");
        }

        double medRender = median(render);
        double medPayload = median(withPayload);
        System.out.printf(Locale.ROOT, "scenario: %d ports, default + 20-rule group (4 remote-group rules), "
                + "members = all ports, ipset on%n", ports);
        System.out.printf(Locale.ROOT, "tapguard render (HostView -> Ruleset)          median %8.1f ms  (min %.1f, "
                + "%d runs)%n", medRender, Arrays.stream(render).min().orElse(0), runs);
        System.out.printf(Locale.ROOT, "tapguard render + restore payload text          median %8.1f ms  (%d rules, "
                + "%.1f MB payload)%n", medPayload, rules, payloadBytes / 1e6);
        System.out.printf(Locale.ROOT, "tapguard memory: %.1f MB allocated, %.1f MB retained by the result, "
                + "heap peak %.1f MB (%.1f MB before)%n", allocated / 1e6, retained / 1e6, peak / 1e6, before / 1e6);
        String json = String.format(Locale.ROOT, "{\"ports\": %d, \"tapguard_render_ms\": %.2f, "
                + "\"tapguard_render_payload_ms\": %.2f, \"rules\": %d, \"allocated_mb\": %.1f, \"retained_mb\": %.1f, "
                + "\"heap_peak_mb\": %.1f", ports, medRender, medPayload, rules, allocated / 1e6, retained / 1e6,
                peak / 1e6);
        if (!noNeutron && NeutronReference.available()) {
            List<Double> secs = new ArrayList<>();
            long neutronRules = 0;
            for (int i = 0; i < neutronRuns; i++) {
                JsonNode n = NeutronReference.renderBench(ports);
                secs.add(n.path("seconds").asDouble());
                neutronRules = n.path("rules_total").asLong();
            }
            double neutronMs = median(secs.stream().mapToDouble(Double::doubleValue).toArray()) * 1000;
            System.out.printf(Locale.ROOT, "neutron  OVSHybridIptablesFirewallDriver apply  median %8.1f ms  "
                    + "(%d rules, %d runs, execute mocked)%n", neutronMs, neutronRules, neutronRuns);
            System.out.printf(Locale.ROOT, "ratio: neutron / tapguard render = %.0fx; neutron / tapguard render+payload"
                    + " = %.0fx (target >= 50x)%n", neutronMs / medRender, neutronMs / medPayload);
            json += String.format(Locale.ROOT, ", \"neutron_ms\": %.1f, \"neutron_rules\": %d, \"ratio_render\": %.1f,"
                    + " \"ratio_render_payload\": %.1f", neutronMs, neutronRules, neutronMs / medRender,
                    neutronMs / medPayload);
        } else if (!noNeutron) {
            System.out.println("neutron: not available (needs Debian python3-neutron and ../shared/bench)");
        }
        System.out.println(json + "}");
        return 0;
    }

    /** The renderer uses two threads (one per family): count what every live thread allocated. */
    private static long allocatedByAllThreads(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(a, 0);
        }
        return sum;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
