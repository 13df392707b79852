package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.Direction;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpsetDump;
import dev.tapguard.netfilter.IpsetSaveParser;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.ParseWarning;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.trace.Probe;
import dev.tapguard.trace.Trace;
import dev.tapguard.trace.TraceText;
import dev.tapguard.trace.Tracer;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapguard trace}: which rule decides a packet, and why. */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Walk a packet through a host's bridged netfilter path (raw PREROUTING, then filter FORWARD, or "
                + "INPUT for VM-to-host traffic) and name the rule that decides it, the security group and rule behind "
                + "it, and, when nothing allows it, the closest rules and the rule that would.",
            "On a dump (--ruleset FILE: iptables-save and/or ip6tables-save output, as printed by the host or by "
                + "tapguard render; --ipsets FILE: ipset save) or on Tapguard's own state (--server URL --port ID)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:traced (whatever the verdict)", "1:batch: a probe's verdict differs from its \"expect\"",
            "2:bad input or usage", "3:the server could not be reached or answered with an error"})
final class TraceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--ruleset", paramLabel = "FILE", description = "iptables-save (and ip6tables-save) output")
    Path ruleset;

    @Option(names = "--ruleset6", paramLabel = "FILE", description = "ip6tables-save output, if in its own file")
    Path ruleset6;

    @Option(names = "--ipsets", paramLabel = "FILE", description = "ipset save output")
    Path ipsets;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--host", paramLabel = "HOST", description = "with --server and --physdev-*: the host's view")
    String host;

    @Option(names = "--wrap", defaultValue = RenderOptions.DEFAULT_WRAP, description = "with --server: the agent's "
            + "chain wrap (default ${DEFAULT-VALUE})")
    String wrap;

    @Option(names = "--port", paramLabel = "ID", description = "the port the packet goes to (ingress) or comes from")
    String port;

    @Option(names = "--direction", paramLabel = "ingress|egress", description = "ingress: towards the VM; egress: "
            + "from it")
    String direction;

    @Option(names = "--to-host", description = "egress to the compute host itself (the INPUT path)")
    boolean toHost;

    @Option(names = "--physdev-in", paramLabel = "DEV", description = "the bridge port the packet enters by")
    String physdevIn;

    @Option(names = "--physdev-out", paramLabel = "DEV", description = "the bridge port the packet leaves by")
    String physdevOut;

    @Option(names = "--src", paramLabel = "ADDR", description = "source address (default for egress: the port's)")
    String src;

    @Option(names = "--dst", paramLabel = "ADDR", description = "destination (default for ingress: the port's)")
    String dst;

    @Option(names = "--src-mac", paramLabel = "MAC", description = "source MAC (default for egress: the port's)")
    String srcMac;

    @Option(names = "--protocol", paramLabel = "PROTO", description = "tcp, udp, icmp, ipv6-icmp, ipip (= 4, as in "
            + "the API), gre, ... or a number 0-255")
    String protocol;

    @Option(names = "--sport", paramLabel = "PORT")
    Integer sport;

    @Option(names = "--dport", paramLabel = "PORT")
    Integer dport;

    @Option(names = "--icmp-type", paramLabel = "TYPE")
    Integer icmpType;

    @Option(names = "--icmp-code", paramLabel = "CODE")
    Integer icmpCode;

    @Option(names = "--tcp-flags", paramLabel = "FLAGS", description = "e.g. SYN, ACK, RST, SYN,ACK")
    String tcpFlags;

    @Option(names = "--ct", paramLabel = "STATE", description = "assumed conntrack state: new (default), "
            + "established, related, invalid, untracked")
    String ct;

    @Option(names = "--batch", paramLabel = "FILE", description = "a JSON array of probes (keys as the options, "
            + "with _ for -: port, direction, to_host, physdev_in, src, dport, icmp_type, ct, ..., plus name and "
            + "expect: ALLOWED|DENIED)")
    Path batch;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json")
    String format;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("tapguard trace: --format must be text or json, not '" + format + "'");
            return 2;
        }
        if ((ruleset == null) == (server.url == null)) {
            err.println("tapguard trace: give either --ruleset FILE or --server URL");
            return 2;
        }
        Tracer tracer;
        List<Probe> probes;
        List<String> expects = new ArrayList<>();
        try {
            probes = batch != null ? batchProbes(read(batch), expects) : List.of(single());
            tracer = ruleset != null ? dumpTracer(err) : serverTracer(probes);
        } catch (IllegalArgumentException | IOException e) {
            err.println("tapguard trace: " + e.getMessage());
            return 2;
        } catch (TapguardClient.RemoteException e) {
            err.println("tapguard trace: " + e.getMessage());
            return 3;
        }
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            try {
                traces.add(tracer.trace(probes.get(i)));
            } catch (IllegalArgumentException e) {
                err.println("tapguard trace: " + (batch != null ? "probe " + (i + 1) + ": " : "") + e.getMessage());
                return 2;
            }
        }
        int failed = 0;
        ArrayNode json = HostDocuments.MAPPER.createArrayNode();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < traces.size(); i++) {
            Trace t = traces.get(i);
            String expect = i < expects.size() ? expects.get(i) : null;
            boolean mismatch = expect != null && !expect.equalsIgnoreCase(t.verdict());
            failed += mismatch ? 1 : 0;
            if (format.equals("json")) {
                ObjectNode o = TraceJson.of(t);
                if (expect != null) {
                    o.put("expect", expect.toUpperCase(java.util.Locale.ROOT));
                    o.put("as_expected", !mismatch);
                }
                json.add(o);
            } else {
                if (i > 0) {
                    text.append("\n").append("=".repeat(100)).append("\n\n");
                }
                text.append(TraceText.format(t));
                if (expect != null) {
                    text.append(mismatch ? "EXPECTED " + expect.toUpperCase(java.util.Locale.ROOT) + ": MISMATCH\n"
                            : "as expected\n");
                }
            }
        }
        try {
            if (format.equals("json")) {
                out.println(HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                        batch != null ? json : json.get(0)));
            } else {
                out.print(text);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        if (failed > 0) {
            err.println("tapguard trace: " + failed + " of " + traces.size() + " probes differ from their expect");
            return 1;
        }
        return 0;
    }

    private Probe single() {
        Direction d = null;
        if (direction != null) {
            d = Direction.parseOrNull(direction);
            if (d == null) {
                throw new IllegalArgumentException("--direction must be ingress or egress, not '" + direction + "'");
            }
        }
        if (port != null && (physdevIn != null || physdevOut != null)) {
            throw new IllegalArgumentException("give --port with --direction, or --physdev-in/--physdev-out, not both");
        }
        return Probe.builder().port(port, d).toHost(toHost).physdev(physdevIn, physdevOut).src(src).dst(dst)
                .srcMac(srcMac).protocol(protocol).sport(sport).dport(dport).icmp(icmpType, icmpCode)
                .tcpFlags(tcpFlags).ct(ct == null ? null : CtState.parse(ct)).build();
    }

    private static final Set<String> KEYS = Set.of("name", "port", "direction", "to_host", "physdev_in",
            "physdev_out", "src", "dst", "src_mac", "protocol", "sport", "dport", "icmp_type", "icmp_code",
            "tcp_flags", "ct", "expect");

    static List<Probe> batchProbes(String json, List<String> expects) {
        JsonNode root;
        try {
            root = HostDocuments.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("--batch: invalid JSON: " + e.getMessage());
        }
        if (root != null && root.has("probes")) {
            root = root.get("probes");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException("--batch: expected a non-empty JSON array of probes");
        }
        List<Probe> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode p = root.get(i);
            String at = "--batch probe " + (i + 1);
            if (!p.isObject()) {
                throw new IllegalArgumentException(at + ": must be an object");
            }
            for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) {
                    throw new IllegalArgumentException(at + ": unknown key '" + k + "'");
                }
            }
            Direction d = null;
            if (p.hasNonNull("direction")) {
                d = Direction.parseOrNull(p.get("direction").asText());
                if (d == null) {
                    throw new IllegalArgumentException(at + ": direction must be ingress or egress");
                }
            }
            String expect = text(p, "expect");
            if (expect != null && !expect.equalsIgnoreCase("ALLOWED") && !expect.equalsIgnoreCase("DENIED")) {
                throw new IllegalArgumentException(at + ": expect must be ALLOWED or DENIED");
            }
            expects.add(expect);
            out.add(Probe.builder().name(text(p, "name")).port(text(p, "port"), d)
                    .toHost(p.path("to_host").asBoolean(false))
                    .physdev(text(p, "physdev_in"), text(p, "physdev_out")).src(text(p, "src")).dst(text(p, "dst"))
                    .srcMac(text(p, "src_mac")).protocol(text(p, "protocol")).sport(integer(p, "sport", at))
                    .dport(integer(p, "dport", at)).icmp(integer(p, "icmp_type", at), integer(p, "icmp_code", at))
                    .tcpFlags(text(p, "tcp_flags")).ct(p.hasNonNull("ct") ? CtState.parse(p.get("ct").asText())
                            : null).build());
        }
        return out;
    }

    private static String text(JsonNode p, String k) {
        JsonNode v = p.get(k);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode p, String k, String at) {
        JsonNode v = p.get(k);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt()) {
            throw new IllegalArgumentException(at + ": " + k + " must be an integer");
        }
        return v.asInt();
    }

    private Tracer dumpTracer(PrintWriter err) throws IOException {
        DumpFiles.Split split = DumpFiles.split(read(ruleset));
        String v6 = split.ipv6();
        if (ruleset6 != null) {
            v6 = read(ruleset6);
        }
        String sets = split.ipset();
        if (ipsets != null) {
            sets = sets + read(ipsets);
        }
        Map<Family, List<Table>> tables = new EnumMap<>(Family.class);
        SaveDump d4 = IptablesSaveParser.parse(split.ipv4());
        SaveDump d6 = IptablesSaveParser.parse(v6);
        warn(err, ruleset, d4.warnings());
        warn(err, ruleset6 != null ? ruleset6 : ruleset, d6.warnings());
        tables.put(Family.IPV4, d4.tables());
        tables.put(Family.IPV6, d6.tables());
        if (d4.tables().isEmpty() && d6.tables().isEmpty()) {
            throw new IllegalArgumentException(ruleset + ": no iptables-save table in it");
        }
        IpsetDump ips = IpsetSaveParser.parse(sets);
        warn(err, ipsets != null ? ipsets : ruleset, ips.warnings());
        return Tracer.forDump(tables, ips);
    }

    private static void warn(PrintWriter err, Path file, List<ParseWarning> warnings) {
        for (ParseWarning w : warnings) {
            err.println("tapguard trace: " + file + ": " + w);
        }
    }

    private Tracer serverTracer(List<Probe> probes) throws TapguardClient.RemoteException {
        TapguardClient c = server.client();
        String portId = probes.stream().map(Probe::portId).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        HostInput in;
        if (host != null) {
            in = c.hostView(host);
        } else if (portId != null) {
            in = c.viewOfPort(portId);
        } else {
            throw new IllegalArgumentException("with --server, give --port ID (or --host HOST for --physdev probes)");
        }
        RenderResult r = HybridIptablesRenderer.render(in.view(),
                new RenderOptions(wrap, in.enableIpset(), in.commentRules(), in.ipv6Enabled()));
        return Tracer.forRuleset(r.ruleset(), in.view());
    }

    static String read(Path p) throws IOException {
        try {
            return Files.readString(p);
        } catch (NoSuchFileException e) {
            throw new IOException(p + ": no such file");
        }
    }
}
