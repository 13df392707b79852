package dev.tapguard.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {
    private final CommandRunner runner = new ProcessCommandRunner();

    @Test
    void passesStdinAndReturnsBothOutputsAndTheExitCode() {
        CommandRunner.Result r = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), "hello\n",
                Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("hello\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void aCommandThatCannotStartIs127() {
        CommandRunner.Result r = runner.run(List.of("/nonexistent/tgdx-cmd"), null, Duration.ofSeconds(5));
        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsKilled() {
        CommandRunner.Result r = runner.run(List.of("sleep", "30"), null, Duration.ofMillis(200));
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.stderr()).contains("timed out");
    }
}
