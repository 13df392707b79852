package dev.tapguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.Deviation;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.KernelState;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.wire.HostDocumentException;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import dev.tapguard.wire.RejectedRule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tapguard render}: host documents to the netfilter state Tapguard (and, but for section 11, Neutron) writes. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Render the security groups of a host's ports into iptables/ip6tables and ipset state, in "
                + "Neutron's iptables_hybrid layout.",
            "Input: the oracle's host schema (shared/oracle/SCHEMA.md). Rules the Neutron API would reject are left "
                + "out and reported on stderr with Neutron's error type."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:rendered", "2:bad input (the message names the field); nothing on stdout"})
final class RenderCommand implements Callable<Integer> {

    enum Format { iptables_save, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--format", defaultValue = "iptables-save", converter = FormatConverter.class,
            description = "iptables-save (default) or json")
    Format format;

    @Option(names = "--existing-state", paramLabel = "FILE",
            description = "the host's current iptables-save output (IPv4; an ip6tables-save part may follow after a "
                    + "line '# ip6tables-save'); zones are recovered from it and foreign rules kept")
    Path existingState;

    @Option(names = "--wrap", description = "chain wrap (default ${DEFAULT-VALUE})",
            defaultValue = RenderOptions.DEFAULT_WRAP)
    String wrap;

    @Parameters(paramLabel = "HOST.json", arity = "1..*", description = "host documents ('-' reads stdin)")
    List<String> inputs;

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return switch (value) {
                case "iptables-save" -> Format.iptables_save;
                case "json" -> Format.json;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "--format must be iptables-save or json, not '" + value + "'");
            };
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<String> outputs = new ArrayList<>();
        String[] existing = null;
        try {
            if (existingState != null) {
                existing = splitFamilies(read(existingState.toString()));
            }
            for (String in : inputs) {
                HostInput host;
                try {
                    host = HostDocuments.read(read(in));
                } catch (HostDocumentException e) {
                    err.println("tapguard render: " + in + ": " + e.getMessage());
                    return 2;
                }
                for (RejectedRule r : host.rejected()) {
                    err.println("tapguard render: " + in + ": " + r);
                }
                RenderOptions opt = new RenderOptions(wrap, host.enableIpset(), host.commentRules(),
                        host.ipv6Enabled());
                KernelState state = existing != null ? KernelState.of(existing[0], existing[1])
                        : KernelState.of(host.ipv4Save(), host.ipv6Save());
                RenderResult result;
                try {
                    result = HybridIptablesRenderer.render(host.view(), opt, state);
                } catch (IllegalArgumentException e) {
                    err.println("tapguard render: " + in + ": " + e.getMessage());
                    return 2;
                }
                outputs.add(format == Format.json ? json(host, result) : text(in, host, result));
            }
        } catch (IOException e) {
            err.println("tapguard render: " + e.getMessage());
            return 2;
        }
        PrintWriter out = spec.commandLine().getOut();
        outputs.forEach(out::print);
        out.flush();
        return 0;
    }

    private static String read(String in) throws IOException {
        if (in.equals("-")) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return Files.readString(Path.of(in));
        } catch (NoSuchFileException e) {
            throw new IOException(in + ": no such file");
        }
    }

    /** An existing-state file may hold both dumps; ip6tables-save's part starts at a line naming it. */
    static String[] splitFamilies(String text) {
        int at = text.indexOf("# ip6tables-save");
        if (at < 0) {
            return new String[] {text, null};
        }
        return new String[] {text.substring(0, at), text.substring(at)};
    }

    static String json(HostInput host, RenderResult r) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        if (host.name() != null) {
            o.put("name", host.name());
        }
        for (Family f : Family.values()) {
            ObjectNode fam = o.putObject(f.command());
            for (Table t : r.ruleset().tables(f)) {
                ArrayNode lines = fam.putArray(t.name());
                IptablesSavePrinter.lines(t).forEach(lines::add);
            }
        }
        ObjectNode sets = o.putObject("ipsets");
        for (IpSet s : r.ruleset().ipsets()) {
            ArrayNode a = sets.putArray(s.name());
            s.members().stream().sorted().forEach(a::add);
        }
        ObjectNode zones = o.putObject("zones");
        r.zones().forEach(zones::put);
        ArrayNode trusted = o.putArray("trusted_ports");
        r.trustedPorts().forEach(trusted::add);
        ArrayNode devs = o.putArray("deviations");
        for (Deviation d : r.deviations()) {
            devs.addObject().put("section", d.section()).put("name", d.name()).put("detail", d.detail());
        }
        ArrayNode rejected = o.putArray("rejected");
        for (RejectedRule rr : host.rejected()) {
            rejected.addObject().put("security_group_id", rr.securityGroupId()).put("index", rr.index())
                    .put("type", rr.errorType()).put("message", rr.message());
        }
        try {
            return HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String in, HostInput host, RenderResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# tapguard render: ").append(host.name() != null ? host.name() : in).append('\n');
        for (Deviation d : r.deviations()) {
            sb.append("# deviation: ").append(d).append('\n');
        }
        for (RejectedRule rr : host.rejected()) {
            sb.append("# rejected: ").append(rr).append('\n');
        }
        if (!r.ruleset().ipsets().isEmpty()) {
            sb.append("# ipset save\n");
            for (IpSet s : r.ruleset().ipsets()) {
                sb.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily())
                        .append('\n');
                for (String m : s.members()) {
                    sb.append("add ").append(s.name()).append(' ').append(m).append('\n');
                }
            }
        }
        for (Family f : Family.values()) {
            sb.append("# ").append(f.command()).append("-save\n");
            sb.append(IptablesSavePrinter.print(r.ruleset().tables(f)));
        }
        return sb.toString();
    }
}
