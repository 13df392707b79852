package dev.tapguard.bench;

import dev.tapguard.model.HostView;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** JMH: a full render of neutron_render_bench.py's scenario, and render plus the restore payload text. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {
    @Param({"2000"})
    int ports;

    HostView view;

    @Setup
    public void setup() {
        view = RenderScenario.hostView(ports);
    }

    @Benchmark
    public RenderResult render() {
        return HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
    }

    @Benchmark
    public int renderAndPrintPayload() {
        return RestorePayload.of(HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS)).length();
    }
}
