package dev.tapguard.bench;

import dev.tapguard.agent.Agent;
import dev.tapguard.agent.AgentConfig;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.model.HostView;
import dev.tapguard.render.RenderOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the agent's own CPU work in one reconcile cycle (render, desired state, diff, payload text) with N ports
 * present, the kernel side replaced by a runner that succeeds at once. One operation = adding one port and removing
 * it again (two cycles), or a remote-group member added and removed (two cycles).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
public class AgentCycleBenchmark {
    @Param({"2000"})
    int ports;

    HostView view;
    HostView plusOne;
    HostView moreMembers;
    Agent agent;

    /** Succeeds at once with empty output: the kernel reads back as empty, every write is accepted. */
    static final CommandRunner INSTANT = c -> new CommandResult(c, 0, "", "", Duration.ZERO, false);

    @Setup(Level.Trial)
    public void setup() {
        view = RenderScenario.hostView(ports);
        plusOne = AgentBench.withExtraPort(view, ports);
        moreMembers = AgentBench.withExtraMember(view, "10.250.0.7");
        AgentConfig cfg = new AgentConfig(null, "bench-host", false, List.of(), null, null, null, false, null,
                RenderOptions.DEFAULTS, null, "service", 25, Duration.ofHours(1), Duration.ofSeconds(300));
        agent = new Agent(cfg, INSTANT);
        agent.cycle(view);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        agent.close();
    }

    @Benchmark
    public double addAndRemovePort() {
        return agent.cycle(plusOne).totalMs() + agent.cycle(view).totalMs();
    }

    @Benchmark
    public double memberAddAndRemove() {
        return agent.cycle(moreMembers).totalMs() + agent.cycle(view).totalMs();
    }
}
