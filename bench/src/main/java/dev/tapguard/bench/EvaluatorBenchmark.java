package dev.tapguard.bench;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpsetDump;
import dev.tapguard.netfilter.IpsetSaveParser;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.RulesetEvaluator;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.PortNames;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import dev.tapguard.trace.Probe;
import dev.tapguard.trace.Trace;
import dev.tapguard.trace.Tracer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Probe evaluations per second on a large iptables-save dump: a host with enough Neutron-layout ports (default group
 * plus web, ssh-from-a-prefix and a remote-group rule each) that its IPv4 dump holds at least {@code rules} rules. The
 * dump is printed, parsed back (the trace-on-a-dump path) and compiled once; each benchmark call evaluates one of 4096
 * prepared probes (ingress and egress to random ports, TCP/UDP/ICMP/IP-in-IP, new and established). Target: at least
 * 1,000,000 evaluations per second with every step recorded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EvaluatorBenchmark {

    @Param({"100000"})
    public int rules;

    /**
     * Distinct probes cycled through, each for a random port: 64 keeps the probes and the rules they touch in the
     * CPU's caches (a batch about a few ports, or one probe just built); 4096 spreads them over every port of the
     * host, so most memory reads miss the caches.
     */
    @Param({"64", "4096"})
    public int distinct;

    RulesetEvaluator evaluator;
    Tracer tracer;
    Packet[] packets;
    Probe[] probes;
    int dumpRules;
    int next;

    static final String G_DEFAULT = "5e000000-0000-4000-8000-000000000000";
    static final String G_WEB = "5e000001-0000-4000-8000-000000000001";

    @Setup(Level.Trial)
    public void setup() {
        Fixture f = Fixture.of(rules, distinct);
        evaluator = f.evaluator;
        tracer = f.tracer;
        packets = f.packets;
        probes = f.probes;
        dumpRules = f.dumpRules;
        System.out.printf(Locale.ROOT, "%n# %d ports, IPv4 dump of %d rules (%d lines), parsed in %d ms, compiled in "
                + "%d ms%n", f.ports, f.dumpRules, f.dumpLines, f.parseMillis, f.compileMillis);
    }

    /** A full evaluation: every chain entered and rule tried is recorded (steps are built only when read). */
    @Benchmark
    public Evaluation evaluate() {
        return evaluator.evaluate(packets[next++ & (distinct - 1)]);
    }

    /** The verdict only, nothing recorded. */
    @Benchmark
    public Evaluation verdict() {
        return evaluator.verdict(packets[next++ & (distinct - 1)]);
    }

    /** What {@code tapguard trace} does per probe: packet from the probe, evaluation, steps with provenance. */
    @Benchmark
    public Trace trace() {
        return tracer.trace(probes[next++ & (distinct - 1)]);
    }

    /** The host, its dump and the probes, built once. */
    static final class Fixture {
        RulesetEvaluator evaluator;
        Tracer tracer;
        Packet[] packets;
        Probe[] probes;
        int ports;
        int dumpRules;
        int dumpLines;
        long parseMillis;
        long compileMillis;

        static Fixture of(int targetRules, int distinct) {
            Fixture f = new Fixture();
            int n = Math.max(1, targetRules / 27);
            HostView view;
            RenderResult r;
            while (true) {
                view = host(n);
                r = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS);
                int v4 = 0;
                for (Table t : r.ruleset().tables(Family.IPV4)) {
                    v4 += t.ruleCount();
                }
                if (v4 >= targetRules) {
                    break;
                }
                n += Math.max(1, (targetRules - v4) / 27 + 1);
            }
            f.ports = n;
            Map<Family, List<Table>> tables = new EnumMap<>(Family.class);
            StringBuilder sets = new StringBuilder();
            for (var s : r.ruleset().ipsets()) {
                sets.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily()).append('\n');
                s.members().forEach(m -> sets.append("add ").append(s.name()).append(' ').append(m).append('\n'));
            }
            long t0 = System.nanoTime();
            for (Family fam : Family.values()) {
                String text = IptablesSavePrinter.print(r.ruleset().tables(fam));
                SaveDump d = IptablesSaveParser.parse(text);
                if (!d.warnings().isEmpty()) {
                    throw new IllegalStateException("the rendered dump has warnings: " + d.warnings().get(0));
                }
                tables.put(fam, d.tables());
                if (fam == Family.IPV4) {
                    f.dumpLines = text.split("\n").length;
                    f.dumpRules = d.tables().stream().mapToInt(Table::ruleCount).sum();
                }
            }
            IpsetDump ipsets = IpsetSaveParser.parse(sets.toString());
            long t1 = System.nanoTime();
            f.evaluator = RulesetEvaluator.compile(tables, ipsets);
            long t2 = System.nanoTime();
            f.parseMillis = (t1 - t0) / 1_000_000;
            f.compileMillis = (t2 - t1) / 1_000_000;
            f.tracer = Tracer.forDump(tables, ipsets);
            HostNames names = HostNames.of(view.ports().stream().map(Port::id).toList(), view.securityGroups().keySet());
            Random rnd = new Random(42);
            f.packets = new Packet[distinct];
            f.probes = new Probe[distinct];
            int[] protos = {6, 6, 6, 17, 17, 1, 4};
            int[] dports = {22, 80, 443, 53, 3306, 8080};
            for (int i = 0; i < distinct; i++) {
                Port p = view.ports().get(rnd.nextInt(view.ports().size()));
                PortNames pn = names.port(p.id());
                boolean ingress = rnd.nextBoolean();
                int proto = protos[rnd.nextInt(protos.length)];
                String own = p.fixedIpAddresses().get(0);
                String peer = "192.0.2." + (1 + rnd.nextInt(250));
                Integer sport = proto == 6 || proto == 17 ? 1024 + rnd.nextInt(60000) : null;
                Integer dport = sport == null ? null : dports[rnd.nextInt(dports.length)];
                Integer type = proto == 1 ? 8 : null;
                CtState ct = rnd.nextInt(4) == 0 ? CtState.ESTABLISHED : CtState.NEW;
                String src = ingress ? peer : own;
                String dst = ingress ? own : peer;
                f.packets[i] = Packet.builder().src(src).dst(dst).protocol(proto).sport(sport).dport(dport)
                        .icmp(type, type == null ? null : 0).srcMac(ingress ? "02:00:00:00:00:01" : p.macAddress())
                        .physdev(ingress ? pn.qvb() : pn.tap(), ingress ? pn.tap() : pn.qvb())
                        .interfaces(pn.qbr(), pn.qbr()).ct(ct).build();
                f.probes[i] = Probe.builder().port(p.id(), ingress ? Direction.INGRESS : Direction.EGRESS).src(src)
                        .dst(dst).srcMac(ingress ? "02:00:00:00:00:01" : p.macAddress())
                        .protocol(String.valueOf(proto)).sport(sport).dport(dport).icmp(type, null).ct(ct).build();
            }
            return f;
        }

        static HostView host(int n) {
            List<SecurityGroupRule> def = new ArrayList<>();
            def.add(rule("d-e4", G_DEFAULT, Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY));
            def.add(rule("d-e6", G_DEFAULT, Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
            def.add(rule("d-i4", G_DEFAULT, Direction.INGRESS, Ethertype.IPv4, null, null, null,
                    new Remote.Group(G_DEFAULT)));
            def.add(rule("d-i6", G_DEFAULT, Direction.INGRESS, Ethertype.IPv6, null, null, null,
                    new Remote.Group(G_DEFAULT)));
            List<SecurityGroupRule> web = new ArrayList<>();
            web.add(rule("w-80", G_WEB, Direction.INGRESS, Ethertype.IPv4, "tcp", 80, 80, Remote.ANY));
            web.add(rule("w-443", G_WEB, Direction.INGRESS, Ethertype.IPv4, "tcp", 443, 443, Remote.ANY));
            web.add(rule("w-ssh", G_WEB, Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22,
                    new Remote.IpPrefix("198.51.100.0/24", "198.51.100.0/24")));
            web.add(rule("w-icmp", G_WEB, Direction.INGRESS, Ethertype.IPv4, "icmp", 8, null, Remote.ANY));
            web.add(rule("w-ipip", G_WEB, Direction.INGRESS, Ethertype.IPv4, "4", null, null, Remote.ANY));
            Map<String, SecurityGroup> groups = new LinkedHashMap<>();
            groups.put(G_DEFAULT, new SecurityGroup(G_DEFAULT, "default", "", "p", true, def));
            groups.put(G_WEB, new SecurityGroup(G_WEB, "web", "", "p", true, web));
            List<Port> ports = new ArrayList<>();
            List<String> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = String.format(Locale.ROOT, "%08x-%04x-4000-8000-%012x", 0x10000000 + i * 7919, i & 0xffff,
                        i);
                String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
                String mac = String.format(Locale.ROOT, "fa:16:3e:%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255,
                        i & 255);
                ports.add(new Port(id, "p" + i, "p", "net1", mac, List.of(new FixedIp(ip, "s")), List.of(), true,
                        List.of(G_DEFAULT, G_WEB), "compute:nova", "vm" + i, "host1"));
                members.add(ip);
            }
            return new HostView("host1", 1, ports, groups, Map.of(G_DEFAULT, members, G_WEB, members),
                    List.of(new Network("net1", "n", "p", true, "vlan", "physnet1", 102)));
        }

        static SecurityGroupRule rule(String id, String g, Direction d, Ethertype e, String p, Integer min,
                                      Integer max, Remote remote) {
            return new SecurityGroupRule(id, g, "p", d, e, p, min, max, remote, null);
        }
    }

    /** Quick figure without JMH: {@code java -cp ... dev.tapguard.bench.EvaluatorBenchmark [rules] [seconds]}. */
    public static void main(String[] args) {
        int target = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int distinct = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        Fixture f = Fixture.of(target, distinct);
        System.out.printf(Locale.ROOT, "%d ports, IPv4 dump of %d rules, parsed in %d ms, compiled in %d ms%n",
                f.ports, f.dumpRules, f.parseMillis, f.compileMillis);
        for (String mode : List.of("evaluate", "verdict")) {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long count = 0;
            int allowed = 0;
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int i = 0; i < distinct; i++) {
                    Evaluation e = mode.equals("evaluate") ? f.evaluator.evaluate(f.packets[i])
                            : f.evaluator.verdict(f.packets[i]);
                    allowed += e.allowed() ? 1 : 0;
                }
                count += distinct;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf(Locale.ROOT, "%-8s %,.0f probe evaluations/s wall, %,.0f per CPU-second (%d%% allowed)%n",
                    mode, count / secs, count / cpu, allowed * 100 / count);
        }
    }
}
