package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code tapguard agent}: options that are wrong are refused before anything is started or written. */
class AgentCommandTest {

    @Test
    void dispatchBucketsOutOfRangeIsExit2BeforeAnythingStarts() {
        RenderCommandTest.Run r = RenderCommandTest.run("agent", "--server", "http://127.0.0.1:1", "--host", "h",
                "--dispatch-buckets", "257");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--dispatch-buckets must be 0-256, not 257");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void dispatchBucketsThatIsNotANumberIsAUsageError() {
        RenderCommandTest.Run r = RenderCommandTest.run("agent", "--server", "http://127.0.0.1:1", "--host", "h",
                "--dispatch-buckets", "many");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--dispatch-buckets");
    }

    @Test
    void helpTellsTheDefaultAndNeutronsLayout() {
        RenderCommandTest.Run r = RenderCommandTest.run("agent", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("--dispatch-buckets=N").contains("default 64")
                .contains("0 writes Neutron's own layout");
    }

    @Test
    void anEmptyWrapIsExit2WithTheReasonNotAStackTrace() {
        RenderCommandTest.Run r = RenderCommandTest.run("agent", "--server", "http://127.0.0.1:1", "--host", "h",
                "--wrap", "");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("tapguard agent: wrap name must not be empty").doesNotContain("\tat ");
    }
}
