package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.agent.exec.RunningCommand;
import dev.tapguard.agent.lab.Lab;
import dev.tapguard.wire.HostDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code tapguard demo} as a person runs it: a separate process (this module's classpath, Main), as root, on this
 * machine. Every step's observed outcome in its JSON record is checked, and so is what is left afterwards.
 */
@Tag("privileged")
class DemoPrivilegedTest {
    private final ProcessCommandRunner root = new ProcessCommandRunner();

    private static String prefix() {
        byte[] r = new byte[2];
        ThreadLocalRandom.current().nextBytes(r);
        return "tge" + HexFormat.of().formatHex(r) + "d";
    }

    private static List<String> demo(String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, Main.class.getName(), "demo"));
        argv.addAll(List.of(args));
        return argv;
    }

    private static JsonNode step(JsonNode record, int n) {
        for (JsonNode s : record.path("steps")) {
            if (s.path("step").asInt() == n) {
                return s;
            }
        }
        throw new AssertionError("no step " + n + " in " + record);
    }

    private static JsonNode hop(JsonNode step, String letter) {
        for (JsonNode h : step.path("observed").path("hops")) {
            if (h.path("hop").asText().equals(letter)) {
                return h;
            }
        }
        throw new AssertionError("no hop " + letter + " in " + step);
    }

    @Test
    void theDemoObservesEveryStepOfTheArticleAndLeavesNothingBehind() throws Exception {
        String prefix = prefix();
        long t0 = System.nanoTime();
        CommandResult r;
        try {
            r = root.run(Command.of(demo("--format", "json", "--prefix", prefix)).withTimeout(Duration.ofMinutes(5)));
        } finally {
            Lab.sweep(root, prefix);
        }
        System.out.printf("demo --format json: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode rec = HostDocuments.MAPPER.readTree(r.stdout());
        assertThat(rec.path("steps")).hasSize(5);

        JsonNode s1 = step(rec, 1).path("observed");
        assertThat(s1.path("tcp_22_connected").asBoolean()).as("ssh to VM1 works, as in the article").isTrue();
        for (String seen : List.of("G", "F", "E", "D", "C")) {
            assertThat(hop(step(rec, 1), seen).path("packets").asInt()).as("hop %s saw the IP-in-IP packets", seen)
                    .isEqualTo(3);
        }
        for (String notSeen : List.of("B", "A")) {
            assertThat(hop(step(rec, 1), notSeen).path("packets").asInt()).as("hop %s", notSeen).isZero();
        }
        assertThat(hop(step(rec, 1), "G").path("first_packet").asText()).contains("vlan 102");
        // the plan's own commands ran; a patch port is captured by mirroring all of br-int (local VLAN 1 there)
        assertThat(hop(step(rec, 1), "F").path("command").asText()).startsWith("ovs-tcpdump --db-sock ")
                .contains("--span -i int-br-ethx");
        assertThat(hop(step(rec, 1), "F").path("first_packet").asText()).contains("vlan 1,");
        assertThat(s1.path("delivered_to_vm").asBoolean()).isFalse();

        JsonNode s2 = step(rec, 2).path("observed");
        assertThat(s2.path("verdict").asText()).isEqualTo("DENIED");
        assertThat(s2.path("decided_by_chain").asText()).isEqualTo("neutron-openvswi-sg-fallback");
        assertThat(s2.path("summary").asText()).contains("no rule allows IP protocol 4");

        JsonNode s3 = step(rec, 3).path("observed");
        assertThat(s3.path("lint").path("code").asText()).isEqualTo("PROTOCOL_94_IS_BEET");
        assertThat(s3.path("lint").path("message").asText()).contains("BEET");
        assertThat(s3.path("kernel_rule").asText()).endsWith("-p ipip -j RETURN");
        assertThat(hop(step(rec, 3), "G").path("packets").asInt()).as("sent and on the wire").isEqualTo(3);
        assertThat(hop(step(rec, 3), "A").path("packets").asInt()).as("still dropped").isZero();
        assertThat(s3.path("delivered_to_vm").asBoolean()).isFalse();

        JsonNode s4 = step(rec, 4).path("observed");
        assertThat(s4.path("kernel_rule").asText()).endsWith("-p ipencap -j RETURN");
        assertThat(s4.path("delivered_to_vm").asBoolean()).isTrue();
        assertThat(s4.path("first_packet_at_vm").asText()).contains("10.102.0.100 > 10.102.0.5");
        assertThat(s4.path("rule_packets").asLong()).as("the protocol-4 rule's counter").isPositive();

        JsonNode s5 = step(rec, 5).path("observed");
        assertThat(s5.path("namespaces_removed")).hasSize(4);
        assertThat(s5.path("namespaces_left")).isEmpty();
        assertThat(s5.path("directory_removed").asBoolean()).isTrue();
        assertThat(s5.path("server_stopped").asBoolean()).isTrue();
        for (JsonNode s : rec.path("steps")) {
            assertThat(s.path("as_in_the_article").asBoolean()).as(s.toString()).isTrue();
        }
        assertThat(rec.path("as_in_the_article").asBoolean()).isTrue();
        assertThat(Lab.namespaces(root, prefix)).isEmpty();
        assertThat(leftovers(prefix)).isEmpty();
    }

    @Test
    void keptRunningItAnswersTheOpenstackCliAndAStopSignalRemovesEverything() throws Exception {
        String prefix = prefix();
        RunningCommand demo = root.start(Command.of(demo("--keep", "--format", "json", "--prefix", prefix)));
        StringBuilder progress = new StringBuilder();
        Thread drain = new Thread(() -> demo.stderr().lines().forEach(l -> {
            synchronized (progress) {
                progress.append(l).append('\n');
            }
        }));
        drain.setDaemon(true);
        drain.start();
        try {
            try {
                StringBuilder json = new StringBuilder();
                String line;
                while ((line = demo.stdout().readLine()) != null) {
                    json.append(line).append('\n');
                    if (line.equals("}")) {
                        break;
                    }
                }
                assertThat(json).as("the record printed while kept running; stderr: %s", progress).isNotEmpty();
                JsonNode rec = HostDocuments.MAPPER.readTree(json.toString());
                assertThat(rec.path("as_in_the_article").asBoolean()).as(json.toString()).isTrue();
                JsonNode kept = step(rec, 5);
                assertThat(kept.path("name").asText()).isEqualTo("kept");
                assertThat(Lab.namespaces(root, prefix)).hasSize(4);
                // the printed way to point the openstack CLI at it
                Map<String, String> env = new java.util.HashMap<>();
                for (String kv : kept.path("observed").path("openstack_env").asText().split(" ")) {
                    env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                CommandResult os = new ProcessCommandRunner(null, env).run(Command.of("openstack", "security",
                        "group", "rule", "list", rec.path("setup").path("default_security_group_id").asText(), "-f",
                        "value", "-c", "IP Protocol").withTimeout(Duration.ofSeconds(60)));
                assertThat(os.exitCode()).as(os.describe()).isZero();
                assertThat(os.stdout().lines().toList()).contains("4", "94", "tcp");
            } finally {
                // SIGTERM, as a service manager or kill would: the shutdown hook removes everything
                demo.stop(Duration.ofSeconds(60));
                drain.join(10_000);
            }
            assertThat(Lab.namespaces(root, prefix)).as("removed by the demo's shutdown hook").isEmpty();
            assertThat(leftovers(prefix)).isEmpty();
            synchronized (progress) {
                assertThat(progress).contains("stopped; removed everything it created");
            }
        } finally {
            Lab.sweep(root, prefix);
        }
    }

    private static List<Path> leftovers(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix + "-")).toList();
        }
    }
}
