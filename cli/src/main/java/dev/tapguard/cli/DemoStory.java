package dev.tapguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.lab.Capture;
import dev.tapguard.agent.lab.Lab;
import dev.tapguard.agent.lab.LabPeer;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.wire.HostDocuments;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * The source article's incident, told on a lab compute node with the real server and agent: IP-in-IP from the
 * fabric to VM1 is dropped (the capture plan, run live, shows where), {@code trace} says why, a rule for 94 does not
 * help (the lint says why), a rule for 4 does (the packet arrives, the rule counts it). Each step records what was
 * observed, not what was expected; {@code asInTheArticle} compares the two. Diagnosis is done by the tapguard
 * commands themselves (capture-plan, trace, lint, counters), run in this process.
 */
final class DemoStory implements AutoCloseable {
    /** The demo's project (noauth: X-Project-Id). */
    static final String PROJECT = "d3e40000a1b24c3d8e4f000000000001";
    static final String VM1_IP = "10.102.0.5";
    static final String VM2_IP = "10.102.0.6";
    static final String VM1_MAC = "fa:16:3e:00:01:05";
    static final String VM2_MAC = "fa:16:3e:00:01:06";
    static final String FABRIC = Lab.FABRIC_IP;
    /** The article's packet: IP-in-IP, an inner ICMP echo between two tunnel endpoints. */
    static final String IPIP = "IP(src='" + FABRIC + "',dst='" + VM1_IP
            + "')/IP(src='192.0.2.1',dst='192.0.2.2')/ICMP()";
    static final int PACKETS = 3;

    private final PrintWriter out;
    private final Consumer<String> progress;
    private final long started = System.nanoTime();
    final ObjectNode record = HostDocuments.MAPPER.createObjectNode();
    private final ArrayNode steps;
    private LabStack stack;
    private Lab lab;
    private NeutronClient api;
    private String vm1;
    private String vm2;
    private String vm1Ns;
    private String defaultGroup;
    private PortNames names;
    private int localVlan;
    private JsonNode plan;

    /**
     * @param out      where the story is told (null: say nothing, the JSON record is the output)
     * @param progress set-up progress lines
     */
    DemoStory(PrintWriter out, Consumer<String> progress) {
        this.out = out;
        this.progress = progress;
        record.put("demo", "tapguard");
        record.put("article", "https://opsdev.cn/post/OpenStack-neutron-security-group.html");
        steps = record.putArray("steps");
    }

    private void say(String line) {
        if (out != null) {
            out.println(line);
            out.flush();
        }
    }

    private void progress(String line) {
        progress.accept(String.format(Locale.ROOT, "[%5.1fs] %s", (System.nanoTime() - started) / 1e9, line));
    }

    Lab lab() {
        return lab;
    }

    LabStack stack() {
        return stack;
    }

    // ------------------------------------------------------------------------------------------------ set-up

    /** The server, the lab, the agent; a VLAN 102 network, VM1 and VM2 in the project's default group. */
    void setUp(String prefix, Consumer<Lab> onLab) throws IOException {
        stack = LabStack.start(prefix, Map.of(), this::progress, onLab);
        lab = stack.lab();
        api = stack.api(PROJECT);
        ObjectNode setup = record.putObject("setup");
        setup.put("server", stack.serverUrl());
        setup.put("host", LabStack.HOST);
        setup.put("project_id", PROJECT);
        setup.put("prefix", prefix);
        String net = api.vlanNetwork("demo-vlan102", Lab.PHYSNET, Lab.FABRIC_VLAN).get("id").asText();
        api.subnet(net, "10.102.0.0/24");
        progress("API: network demo-vlan102 (vlan " + Lab.FABRIC_VLAN + " on " + Lab.PHYSNET + "), subnet "
                + "10.102.0.0/24");
        defaultGroup = api.defaultGroup().get("id").asText();
        // the article's VM answered ssh: TCP worked, IP-in-IP did not
        api.rule(defaultGroup, "ingress", "IPv4", "tcp", 22, 22, null);
        vm1Ns = lab.name("vm1");
        vm1 = api.port(vm1Ns, net, VM1_MAC, List.of(VM1_IP), List.of(defaultGroup), LabStack.HOST).get("id").asText();
        vm2 = api.port(lab.name("vm2"), net, VM2_MAC, List.of(VM2_IP), List.of(defaultGroup), LabStack.HOST)
                .get("id").asText();
        progress("API: VM1 " + VM1_IP + " and VM2 " + VM2_IP + " in the default group (+ ingress tcp 22, as in the "
                + "article), bound to " + LabStack.HOST);
        stack.awaitApplied(Duration.ofSeconds(60));
        lab.configureVm(vm1Ns, VM1_IP + "/24", null);
        lab.configureVm(lab.name("vm2"), VM2_IP + "/24", null);
        names = HostNames.of(List.of(vm1, vm2), List.of()).port(vm1);
        localVlan = Integer.parseInt(lab.hostOvs().vsctl("get", "Port", names.qvo(), "tag").strip());
        progress("agent: VM1 plumbed " + names.tap() + " -> " + names.qbr() + " -> " + names.qvb() + "/"
                + names.qvo() + " -> br-int (local VLAN " + localVlan + ") -> " + Lab.BRIDGE + " (VLAN "
                + Lab.FABRIC_VLAN + ") -> " + Lab.NIC + " -> fabric " + FABRIC);
        setup.put("network_id", net);
        setup.put("default_security_group_id", defaultGroup);
        setup.putObject("vm1").put("port_id", vm1).put("ip", VM1_IP).put("namespace", vm1Ns);
        setup.putObject("vm2").put("port_id", vm2).put("ip", VM2_IP).put("namespace", lab.name("vm2"));
        setup.put("local_vlan", localVlan);
        setup.put("segmentation_id", Lab.FABRIC_VLAN);
        setup.put("seconds", seconds());
    }

    private double seconds() {
        return Math.round((System.nanoTime() - started) / 1e8) / 10.0;
    }

    // ------------------------------------------------------------------------------------------------ steps

    /** Step 1: IP-in-IP from the fabric to VM1 is dropped; the capture plan, run live, shows between which hops. */
    boolean step1() throws IOException {
        say("");
        say("Step 1. IP-in-IP (IP protocol 4) from the fabric host " + FABRIC + " to VM1 " + VM1_IP);
        LabPeer vm = lab.peer(vm1Ns);
        vm.tcpListen(22);
        boolean ssh = lab.fabric().tcpConnect("ssh", VM1_IP, 22);
        lab.fabric().tcpEcho("ssh", "SSH-2.0-demo");
        say("  TCP to port 22 (ssh) from the fabric to VM1: " + (ssh ? "connected" : "NOT connected")
                + " (the article: ssh worked, so TCP was fine)");
        Run p = cli("capture-plan", "--server", stack.serverUrl(), "--port", vm1, "--bridge-mapping",
                Lab.PHYSNET + ":" + Lab.BRIDGE, "--nic", Lab.NIC, "--local-vlan", Integer.toString(localVlan),
                "--src", FABRIC, "--dst", VM1_IP, "--protocol", "4", "--format", "json");
        if (p.exit != 0) {
            throw new IllegalStateException("tapguard capture-plan failed: " + p.err);
        }
        plan = HostDocuments.MAPPER.readTree(p.out);
        say("  tapguard capture-plan --port VM1 --protocol 4 ..., every hop captured live while the fabric sends "
                + PACKETS + " packets:");
        LabPeer fabric = lab.fabric();
        List<HopResult> hops = captureWhileSending(List.of("A", "B", "C", "D", "E", "F", "G"),
                () -> fabric.send(IPIP, false, PACKETS));
        List<String> seen = new ArrayList<>();
        List<String> notSeen = new ArrayList<>();
        for (HopResult h : hops) {
            (h.packets() > 0 ? seen : notSeen).add(h.letter());
        }
        boolean delivered = hop(hops, "A").packets() > 0;
        boolean asArticle = ssh && !delivered && hop(hops, "B").packets() == 0
                && List.of("C", "D", "E", "F", "G").stream().allMatch(x -> hop(hops, x).packets() > 0);
        String sits = plan.path("security_group").asText();
        say("  Observed: seen at " + String.join(", ", reverse(seen)) + "; not seen at "
                + String.join(", ", reverse(notSeen)) + (asArticle ? ": dropped between C (" + names.qbr() + ") and B ("
                + names.tap() + "), where the security group sits. As in the article (seen at C-G, not at A, B)."
                : ": NOT what the article saw (C-G seen, A and B not)."));
        ObjectNode s = step(1, "ipip-dropped", "IP-in-IP from the fabric to VM1 is dropped; the capture plan runs live",
                asArticle);
        ObjectNode o = s.putObject("observed");
        o.put("tcp_22_connected", ssh);
        o.put("packets_sent", PACKETS);
        o.set("hops", hopsJson(hops));
        o.set("seen_at", array(seen));
        o.set("not_seen_at", array(notSeen));
        o.put("delivered_to_vm", delivered);
        o.put("security_group_sits", sits);
        return asArticle;
    }

    /** Step 2: trace names the default drop in sg-fallback and says that no rule allows protocol 4. */
    boolean step2() throws IOException {
        say("");
        String[] args = {"trace", "--server", stack.serverUrl(), "--port", vm1, "--direction", "ingress", "--src",
            FABRIC, "--protocol", "4"};
        say("Step 2. tapguard trace --port VM1 --direction ingress --src " + FABRIC + " --protocol 4");
        Run text = cli(args);
        Run json = cli(append(args, "--format", "json"));
        if (text.exit != 0 || json.exit != 0) {
            throw new IllegalStateException("tapguard trace failed: " + text.err + json.err);
        }
        int v = text.out.indexOf("Verdict:");
        for (String line : text.out.substring(Math.max(0, v)).split("\n")) {
            say("  | " + line);
        }
        JsonNode t = HostDocuments.MAPPER.readTree(json.out);
        String chain = t.path("decided_by").path("chain").asText();
        String summary = t.path("explanation").path("summary").asText();
        boolean asArticle = t.path("verdict").asText().equals("DENIED") && chain.endsWith("sg-fallback")
                && summary.contains("no rule allows IP protocol 4");
        say("  Observed: " + t.path("verdict").asText() + ", decided in " + chain + "; \"" + summary + "\""
                + (asArticle ? "" : " (NOT the expected sg-fallback / no rule for protocol 4)"));
        ObjectNode o = step(2, "trace", "trace names the default drop in sg-fallback and says no rule allows "
                + "protocol 4", asArticle).putObject("observed");
        o.put("verdict", t.path("verdict").asText());
        o.put("decided_by_chain", chain);
        o.put("decided_by_rule", t.path("decided_by").path("text").asText(null));
        o.put("summary", summary);
        o.put("fix", t.path("explanation").path("fix").asText(null));
        o.put("text", text.out);
        return asArticle;
    }

    /** Step 3: a rule for protocol 94 (the article's first try): the lint warns (BEET), the packet is still dropped. */
    boolean step3() throws IOException {
        say("");
        say("Step 3. A rule for protocol 94 first, as the article's team did");
        String rule = api.rule(defaultGroup, "ingress", "IPv4", "94", null, null, null).get("id").asText();
        say("  API: openstack security group rule create --ingress --protocol 94 default -> rule " + rule);
        stack.awaitApplied(Duration.ofSeconds(30));
        String kernel = kernelRule("-p ipip ");
        say("  the agent wrote: " + kernel + "   (Debian's /etc/protocols: ipip = 94)");
        Run lint = cli("lint", "--server", stack.serverUrl(), "--group", defaultGroup, "--format", "json");
        if (lint.exit == 2 || lint.exit == 3) {
            throw new IllegalStateException("tapguard lint failed: " + lint.err);
        }
        JsonNode findings = HostDocuments.MAPPER.readTree(lint.out);
        JsonNode beet = null;
        for (JsonNode f : findings) {
            if (rule.equals(f.path("security_group_rule_id").asText()) && f.path("code").asText().contains("94")) {
                beet = f;
            }
        }
        say("  tapguard lint --group default: " + (beet == null ? "no warning about the rule"
                : beet.path("severity").asText().toLowerCase(Locale.ROOT) + " " + beet.path("code").asText()
                + ": " + beet.path("message").asText()));
        say("  IP-in-IP again (" + PACKETS + " packets):");
        LabPeer fabric = lab.fabric();
        List<HopResult> hops = captureWhileSending(List.of("A", "B", "G"), () -> fabric.send(IPIP, false, PACKETS));
        boolean delivered = hop(hops, "A").packets() > 0;
        Run trace = cli("trace", "--server", stack.serverUrl(), "--port", vm1, "--direction", "ingress", "--src",
                FABRIC, "--protocol", "4", "--format", "json");
        JsonNode t = HostDocuments.MAPPER.readTree(trace.out);
        JsonNode closest = t.path("explanation").path("closest").path(0);
        if (!closest.isMissingNode()) {
            say("  tapguard trace: " + t.path("verdict").asText() + "; closest rule " + closest.path("text").asText()
                    + ": " + String.join("; ", texts(closest.path("mismatches"))));
        }
        boolean asArticle = beet != null && !delivered && hop(hops, "G").packets() > 0;
        say("  Observed: " + (beet != null ? "the lint warns that Linux uses 94 for BEET" : "NO lint warning")
                + "; the packet " + (delivered ? "ARRIVED at VM1 (not as in the article)" : "is still dropped (seen "
                + "at G, not at A)") + ".");
        ObjectNode o = step(3, "protocol-94", "a rule for protocol 94: the lint warns (BEET), the packet is still "
                + "dropped", asArticle).putObject("observed");
        o.put("rule_id", rule);
        o.put("kernel_rule", kernel);
        o.set("lint", beet == null ? null : beet);
        o.set("hops", hopsJson(hops));
        o.put("delivered_to_vm", delivered);
        o.put("trace_verdict", t.path("verdict").asText());
        return asArticle;
    }

    /** Step 4: a rule for protocol 4: the packet arrives, and that rule's counter is non-zero. */
    boolean step4() throws IOException {
        say("");
        say("Step 4. A rule for protocol 4 (IP-in-IP, include/uapi/linux/in.h: IPPROTO_IPIP = 4)");
        LabPeer fabric = lab.fabric();
        String rule;
        long arrivalMs;
        List<String> lines;
        try (Capture a = lab.capture(vm1Ns, "A", List.of("tcpdump", "-n", "-i", "eth0", "ip proto 4"))) {
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sender = new Thread(() -> {
                while (sending.get()) {
                    try {
                        fabric.send(IPIP, false);
                        Thread.sleep(50);
                    } catch (InterruptedException | RuntimeException e) {
                        return;
                    }
                }
            }, "demo-ipip-sender");
            long t0 = System.nanoTime();
            rule = api.rule(defaultGroup, "ingress", "IPv4", "4", null, null, null).get("id").asText();
            say("  API: openstack security group rule create --ingress --protocol 4 default -> rule " + rule);
            say("  the fabric sends IP-in-IP every 50 ms; VM1 captures on eth0 ...");
            sender.start();
            boolean arrived = a.await(1, Duration.ofSeconds(20));
            arrivalMs = arrived ? (System.nanoTime() - t0) / 1_000_000 : -1;
            sending.set(false);
            try {
                sender.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lines = a.stop();
        }
        stack.awaitApplied(Duration.ofSeconds(30));
        String kernel = kernelRule("-p ipencap ");
        say("  the agent wrote: " + kernel + "   (ipencap = 4)");
        boolean delivered = !lines.isEmpty();
        if (delivered) {
            say(String.format(Locale.ROOT, "  VM1 received IP-in-IP %.2f s after the API call: %s", arrivalMs / 1000.0,
                    lines.get(0)));
        } else {
            say("  VM1 received NO IP-in-IP packet");
        }
        Run counters = cli("counters", "--server", stack.serverUrl(), "--port", vm1, "--netns", lab.hostNs(),
                "--format", "json");
        if (counters.exit != 0) {
            throw new IllegalStateException("tapguard counters failed: " + counters.err);
        }
        long packets = -1;
        long bytes = -1;
        for (JsonNode r : HostDocuments.MAPPER.readTree(counters.out).path("security_group_rules")) {
            if (rule.equals(r.path("security_group_rule_id").asText())) {
                packets = r.path("packets").asLong();
                bytes = r.path("bytes").asLong();
            }
        }
        say("  tapguard counters --port VM1: rule " + rule + " (ingress IPv4 protocol 4): " + packets + " packets, "
                + bytes + " bytes");
        boolean asArticle = delivered && packets > 0;
        say("  Observed: " + (delivered ? "the packet arrives" : "the packet does NOT arrive") + ", and the rule's "
                + "counter is " + (packets > 0 ? "non-zero" : "ZERO") + (asArticle ? ". As in the article (\"prot "
                + "为4的pkts不为0\")." : "."));
        ObjectNode o = step(4, "protocol-4", "a rule for protocol 4: the packet arrives and the rule's counter is "
                + "non-zero", asArticle).putObject("observed");
        o.put("rule_id", rule);
        o.put("kernel_rule", kernel);
        o.put("delivered_to_vm", delivered);
        o.put("arrival_ms", arrivalMs);
        o.put("packets_at_vm", lines.size());
        o.put("first_packet_at_vm", delivered ? lines.get(0) : null);
        o.put("rule_packets", packets);
        o.put("rule_bytes", bytes);
        return asArticle;
    }

    /** Step 5 when --keep: what is running and how to explore it. */
    void kept(String cliPath) {
        ObjectNode s = step(5, "kept", "--keep: everything is left running until Ctrl-C", true);
        ObjectNode o = s.putObject("observed");
        o.put("server", stack.serverUrl());
        o.set("namespaces", array(Lab.namespaces(new ProcessCommandRunner(), lab.prefix())));
        String url = stack.serverUrl() + "/";
        say("");
        say("Step 5. Kept running (--keep). Explore it, then press Ctrl-C here to remove everything:");
        say("  export OS_AUTH_TYPE=none OS_ENDPOINT=" + url + "   # the openstack CLI, without Keystone");
        say("  openstack security group rule list " + defaultGroup);
        say("  openstack port list --long");
        say("  openstack security group rule create --ingress --protocol gre " + defaultGroup);
        say("  " + cliPath + " trace --server " + stack.serverUrl() + " --port " + vm1
                + " --direction ingress --src " + FABRIC + " --protocol 47");
        say("  " + cliPath + " counters --server " + stack.serverUrl() + " --port " + vm1 + " --netns "
                + lab.hostNs());
        say("  " + cliPath + " lint --server " + stack.serverUrl() + " --project " + PROJECT);
        say("  ip netns exec " + lab.hostNs() + " iptables -nvL " + names.chain(RenderOptions.DEFAULT_WRAP, 'i'));
        say("  ip netns exec " + vm1Ns + " tcpdump -ni eth0          # VM1; also " + lab.name("vm2") + ", "
                + lab.fabricNs() + " (the fabric host, " + Lab.FABRIC_IFACE + " " + FABRIC + ")");
        say("  ovs-vsctl --db=" + lab.hostOvs().db() + " show");
        say("  (the demo's log: " + lab.dir().resolve("demo.log") + ")");
        o.put("openstack_env", "OS_AUTH_TYPE=none OS_ENDPOINT=" + url);
    }

    /** Step 5: remove everything (the lab closes the agent, the server, OVS, namespaces, files) and look. */
    boolean cleanUp() {
        say("");
        say("Step 5. Removing everything the demo created");
        String prefix = lab.prefix();
        List<String> before = Lab.namespaces(new ProcessCommandRunner(), prefix);
        String server = stack.serverUrl();
        java.nio.file.Path dir = lab.dir();
        lab.close();
        List<String> left = Lab.namespaces(new ProcessCommandRunner(), prefix);
        boolean dirGone = !Files.exists(dir);
        boolean serverDown = !listening(server);
        boolean ok = left.isEmpty() && dirGone && serverDown;
        say("  removed: namespaces " + String.join(", ", before) + "; the agent; the server " + server
                + "; both Open vSwitch instances; " + dir);
        say("  Observed: " + (ok ? "no namespace named " + prefix + "-* left, the directory is gone, the server no "
                + "longer answers." : "left behind: " + left + (dirGone ? "" : " " + dir)
                + (serverDown ? "" : " server still answering")));
        ObjectNode o = step(5, "cleanup", "everything the demo created is removed", ok).putObject("observed");
        o.set("namespaces_removed", array(before));
        o.set("namespaces_left", array(left));
        o.put("directory_removed", dirGone);
        o.put("server_stopped", serverDown);
        return ok;
    }

    private static boolean listening(String url) {
        java.net.URI u = java.net.URI.create(url);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private ObjectNode step(int n, String name, String title, boolean asInTheArticle) {
        ObjectNode s = steps.addObject();
        s.put("step", n);
        s.put("name", name);
        s.put("title", title);
        s.put("as_in_the_article", asInTheArticle);
        return s;
    }

    /** One hop of the capture plan, as captured. */
    record HopResult(String letter, String name, String device, String namespace, List<String> command, int packets,
                     String firstPacket, String error) {
    }

    private static HopResult hop(List<HopResult> hops, String letter) {
        return hops.stream().filter(h -> h.letter().equals(letter)).findFirst().orElseThrow();
    }

    /**
     * Starts a capture at each named hop of the plan (its own command, in the VM's namespace for A, the host's for
     * the others; ovs-tcpdump pointed at the lab's OVS), runs {@code send}, waits until the counts stop changing,
     * and reports each hop.
     */
    private List<HopResult> captureWhileSending(List<String> letters, Runnable send) {
        Map<String, Capture> caps = new LinkedHashMap<>();
        Map<String, JsonNode> planned = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        try {
            for (JsonNode h : plan.path("hops")) {
                String letter = h.path("hop").asText();
                if (!letters.contains(letter)) {
                    continue;
                }
                planned.put(letter, h);
                List<String> argv = ShellWords.split(h.path("command").asText());
                if (argv.get(0).equals("ovs-tcpdump")) {
                    argv.addAll(1, List.of("--db-sock", lab.hostOvs().db()));
                }
                commands.put(letter, argv);
                String ns = letter.equals("A") ? vm1Ns : lab.hostNs();
                try {
                    Capture c = lab.capture(ns, letter, argv);
                    caps.put(letter, c);
                    if (argv.get(0).equals("ovs-tcpdump")) {
                        // tcpdump listens before ovs-vswitchd has applied the mirror: wait for its port
                        lab.hostOvs().vsctl("wait-until", "Interface", c.device(), "ofport>0");
                    }
                } catch (RuntimeException e) {
                    errors.put(letter, e.getMessage());
                }
            }
            send.run();
            Capture entry = caps.get("G");
            if (entry != null) {
                entry.await(PACKETS, Duration.ofSeconds(5));
            }
            settle(caps);
        } finally {
            caps.values().forEach(Capture::stop);
        }
        List<HopResult> out = new ArrayList<>();
        for (String letter : letters) {
            JsonNode h = planned.get(letter);
            Capture c = caps.get(letter);
            List<String> lines = c == null ? List.of() : c.stop();
            HopResult r = new HopResult(letter, h.path("name").asText(), h.path("device").asText(),
                    letter.equals("A") ? vm1Ns : lab.hostNs(), commands.get(letter), lines.size(),
                    lines.isEmpty() ? null : lines.get(0), errors.get(letter));
            out.add(r);
        }
        say(String.format(Locale.ROOT, "    %-3s %-24s %-16s %-4s %s", "hop", "", "device", "saw", "first packet seen"));
        for (HopResult r : out.reversed()) {
            String name = r.name().contains(" (") ? r.name().substring(0, r.name().indexOf(" (")) : r.name();
            String device = r.device().contains(" ") ? r.device().substring(0, r.device().indexOf(' '))
                    : r.device();
            if (r.letter().equals("A")) {
                device = device + " (VM1)";
            }
            String what = r.error() != null ? "capture failed: " + r.error()
                    : r.packets() > 0 ? summarize(r.firstPacket()) : "<- not seen";
            say(String.format(Locale.ROOT, "    %-3s %-24s %-16s %-4d %s", r.letter(), abbreviate(name, 24), device,
                    r.packets(), what));
        }
        return out;
    }

    /** Waits until no capture's count changed for 600 ms (packets in flight have landed), at most 4 s. */
    private static void settle(Map<String, Capture> caps) {
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        int last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int total = caps.values().stream().mapToInt(Capture::count).sum();
            if (total != last) {
                last = total;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 600_000_000L) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ArrayNode hopsJson(List<HopResult> hops) {
        ArrayNode a = HostDocuments.MAPPER.createArrayNode();
        for (HopResult h : hops) {
            ObjectNode x = a.addObject();
            x.put("hop", h.letter());
            x.put("name", h.name());
            x.put("device", h.device());
            x.put("namespace", h.namespace());
            x.put("command", h.command() == null ? null : String.join(" ", h.command()));
            x.put("packets", h.packets());
            x.put("saw", h.packets() > 0);
            x.put("first_packet", h.firstPacket());
            x.put("error", h.error());
        }
        return a;
    }

    /** The rule the agent wrote in VM1's ingress chain, as iptables-save prints it. */
    private String kernelRule(String contains) {
        String chain = names.chain(RenderOptions.DEFAULT_WRAP, 'i');
        return lab.check(lab.hostNs(), "iptables-save", "-t", "filter").lines()
                .filter(l -> l.startsWith("-A " + chain + " ") && l.contains(contains)).findFirst()
                .orElse("(no rule with '" + contains.strip() + "' in " + chain + ")");
    }

    private static ArrayNode array(List<String> xs) {
        ArrayNode a = HostDocuments.MAPPER.createArrayNode();
        xs.forEach(a::add);
        return a;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static List<String> reverse(List<String> xs) {
        return new ArrayList<>(xs).reversed();
    }

    /** A tcpdump -e line shortened to its VLAN tag (if any) and its IP part. */
    static String summarize(String line) {
        java.util.regex.Matcher vlan = java.util.regex.Pattern.compile("vlan (\\d+)").matcher(line);
        java.util.regex.Matcher ip = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+ > .*)$").matcher(line);
        String rest = ip.find() ? ip.group(1) : line;
        return abbreviate((vlan.find() ? "vlan " + vlan.group(1) + ": " : "") + rest, 100);
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }

    private static String[] append(String[] a, String... more) {
        String[] out = new String[a.length + more.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    private record Run(int exit, String out, String err) {
    }

    /** A tapguard subcommand, run in this process: the commands' own code, output captured. */
    private static Run cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        int exit = cl.execute(args);
        return new Run(exit, o.toString(), e.toString());
    }

    @Override
    public void close() {
        if (lab != null) {
            lab.close();
        }
    }
}
