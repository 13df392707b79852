package dev.tapguard.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bench/run jmh [JMH args]}: the JMH runner over this module's benchmarks. */
@Command(name = "jmh", description = "Run JMH benchmarks (arguments go to JMH, e.g. RenderBenchmark -f 1).")
final class JmhCommand implements Callable<Integer> {
    @Parameters(arity = "0..*")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
