package dev.tapguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.ParseWarning;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.trace.CounterMapper;
import dev.tapguard.trace.CounterReport;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapguard counters}: the kernel's packet and byte counters per security-group rule of a port. */
@Command(name = "counters", mixinStandardHelpOptions = true,
        description = {"Packets and bytes per security-group rule of a port, from the kernel's counters "
                + "(iptables-save -c and ip6tables-save -c, run on this host, or files given with --save/--save6), "
                + "mapped back to groups and rules with Tapguard's state (--server); without --server, the port's "
                + "chains are found by Neutron's names."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:reported", "2:bad input or usage, or the kernel could not be read",
            "3:the server could not be reached or answered with an error"})
final class CountersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--port", required = true, paramLabel = "ID")
    String port;

    @Option(names = "--save", paramLabel = "FILE", description = "iptables-save -c output instead of reading the "
            + "kernel (may also hold the ip6tables-save -c part)")
    Path save;

    @Option(names = "--save6", paramLabel = "FILE", description = "ip6tables-save -c output")
    Path save6;

    @Option(names = "--netns", paramLabel = "NAME", description = "read the kernel in this network namespace")
    String netns;

    @Option(names = "--wrap", defaultValue = RenderOptions.DEFAULT_WRAP)
    String wrap;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json")
    String format;

    /** Null: the agent's {@link ProcessCommandRunner}, in --netns when given. */
    CommandRunner runner;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("tapguard counters: --format must be text or json");
            return 2;
        }
        Map<Family, SaveDump> kernel = new EnumMap<>(Family.class);
        try {
            String v4;
            String v6;
            if (save != null) {
                DumpFiles.Split s = DumpFiles.split(TraceCommand.read(save));
                v4 = s.ipv4();
                v6 = save6 != null ? TraceCommand.read(save6) : s.ipv6();
            } else {
                v4 = kernelSave("iptables-save");
                v6 = kernelSave("ip6tables-save");
            }
            kernel.put(Family.IPV4, parse(err, "iptables-save", v4));
            kernel.put(Family.IPV6, parse(err, "ip6tables-save", v6));
        } catch (IOException | IllegalArgumentException e) {
            err.println("tapguard counters: " + e.getMessage());
            return 2;
        }
        CounterReport report;
        try {
            if (server.url != null) {
                HostInput in = server.client().viewOfPort(port);
                RenderResult r = HybridIptablesRenderer.render(in.view(),
                        new RenderOptions(wrap, in.enableIpset(), in.commentRules(), in.ipv6Enabled()));
                report = CounterMapper.map(r.ruleset(), in.view(), port, kernel);
            } else {
                report = CounterMapper.mapDump(port, kernel);
            }
        } catch (TapguardClient.RemoteException e) {
            err.println("tapguard counters: " + e.getMessage());
            return 3;
        } catch (IllegalArgumentException e) {
            err.println("tapguard counters: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(format.equals("json") ? json(report) + "\n" : CounterMapper.text(report));
        out.flush();
        return 0;
    }

    private String kernelSave(String tool) throws IOException {
        CommandRunner r = runner != null ? runner : new ProcessCommandRunner(netns);
        CommandResult res = r.run(new dev.tapguard.agent.exec.Command(List.of(tool, "-c"), null,
                Duration.ofSeconds(60)));
        if (!res.ok()) {
            throw new IOException("could not read the kernel's counters: " + res.describe());
        }
        return res.stdout();
    }

    private static SaveDump parse(PrintWriter err, String what, String text) {
        SaveDump d = IptablesSaveParser.parse(text);
        for (ParseWarning w : d.warnings()) {
            err.println("tapguard counters: " + what + ": " + w);
        }
        return d;
    }

    static String json(CounterReport r) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        o.put("port_id", r.portId());
        ArrayNode totals = o.putArray("security_group_rules");
        for (CounterReport.RuleTotal t : r.totals()) {
            totals.addObject().put("security_group_id", t.securityGroupId())
                    .put("security_group_rule_id", t.securityGroupRuleId()).put("description", t.description())
                    .put("kernel_rules", t.kernelRules()).put("packets", t.packets()).put("bytes", t.bytes());
        }
        ArrayNode lines = o.putArray("rules");
        for (CounterReport.Line l : r.lines()) {
            ObjectNode x = lines.addObject().put("family", l.family()).put("table", l.table())
                    .put("chain", l.chain()).put("rule", l.number()).put("text", l.ruleText())
                    .put("packets", l.packets()).put("bytes", l.bytes());
            if (l.provenance() != null) {
                x.put("role", l.provenance().role().name().toLowerCase(Locale.ROOT));
                x.put("security_group_id", l.provenance().securityGroupId());
                x.put("security_group_rule_id", l.provenance().securityGroupRuleId());
            }
        }
        ArrayNode missing = o.putArray("missing_from_kernel");
        r.missing().forEach(missing::add);
        ArrayNode unexpected = o.putArray("not_tapguards");
        r.unexpected().forEach(unexpected::add);
        try {
            return HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
