package dev.tapguard.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench/run}: side-by-side bench commands that print figures and ratios, and JMH ({@code jmh ...}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Tapguard benchmarks, side by side with the reference on the same machine.",
        subcommands = {RenderBench.class, AgentBench.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
