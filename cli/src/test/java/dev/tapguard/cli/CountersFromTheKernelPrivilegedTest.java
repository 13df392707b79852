package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.model.HostView;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.wire.HostDocuments;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code tapguard counters} reads the real kernel (iptables-save -c in a namespace, through the agent's
 * CommandRunner) and finds every rule the real server's state renders to there, mapped to its security-group rule.
 */
@Tag("privileged")
class CountersFromTheKernelPrivilegedTest {

    @Test
    void everyRenderedRuleIsFoundInTheKernelWithItsCounters() throws Exception {
        CommandRunner root = new ProcessCommandRunner();
        byte[] b = new byte[3];
        ThreadLocalRandom.current().nextBytes(b);
        String ns = "tgd2-" + HexFormat.of().formatHex(b) + "-cnt";
        root.check("ip", "netns", "add", ns);
        try (TunnelsOnServer tg = new TunnelsOnServer()) {
            // what the agent on that host loads: the host's view from the change feed, rendered
            HostView view = HostDocuments.read(tg.hostView()).view();
            RenderResult r = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
            CommandRunner inNs = new ProcessCommandRunner(ns);
            StringBuilder sets = new StringBuilder();
            for (IpSet s : r.ruleset().ipsets()) {
                sets.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily())
                        .append('\n');
            }
            if (!sets.isEmpty()) {
                inNs.check(dev.tapguard.agent.exec.Command.of("ipset", "restore").withStdin(sets.toString()));
            }
            inNs.check(dev.tapguard.agent.exec.Command.of("iptables-restore")
                    .withStdin(IptablesSavePrinter.print(r.ruleset().tables(Family.IPV4))));
            inNs.check(dev.tapguard.agent.exec.Command.of("ip6tables-restore")
                    .withStdin(IptablesSavePrinter.print(r.ruleset().tables(Family.IPV6))));

            CliRun run = CliRun.of("counters", "--server", tg.url(), "--port", tg.port, "--netns", ns,
                    "--format", "json");
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode j = HostDocuments.MAPPER.readTree(run.out());
            assertThat(j.get("missing_from_kernel").size()).as(j.get("missing_from_kernel").toString()).isZero();
            assertThat(j.get("not_tapguards").size()).isZero();
            assertThat(j.get("security_group_rules").toString()).contains(tg.rules.get("ssh"))
                    .contains(tg.rules.get("94"));
            assertThat(j.get("rules").size()).isGreaterThan(30);

            CliRun gone = CliRun.of("counters", "--port", tg.port, "--netns", ns + "-missing");
            assertThat(gone.exit()).isEqualTo(2);
            assertThat(gone.err()).contains("could not read the kernel's counters");
        } finally {
            root.run(dev.tapguard.agent.exec.Command.of("ip", "netns", "del", ns));
        }
    }
}
