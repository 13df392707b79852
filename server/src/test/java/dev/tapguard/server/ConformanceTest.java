package dev.tapguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.testkit.SharedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit (../shared/conformance) against Tapguard, as the acceptance criteria: tempest and
 * neutron-tempest-plugin's security-group suites (99 of 99, on H2 and on PostgreSQL), the 109 scripted requests
 * (status codes and NeutronError types as samples_reference.json, recorded from real Neutron), and the openstack
 * CLI scenario (columns and values as the transcript recorded from real Neutron with the same script).
 * The kit's fake Keystone listens on 127.0.0.1:5000 and validates the kit's tokens for Tapguard.
 */
@Tag("conformance")
class ConformanceTest {
    private static final String KEYSTONE = "http://127.0.0.1:5000/v3";
    private static final Path KIT = SharedFiles.shared().resolve("conformance");
    private Path state;

    @BeforeEach
    void state() throws IOException {
        state = Files.createTempDirectory("tgsrv-conformance-");
    }

    @AfterEach
    void stopKeystone() throws Exception {
        run(List.of(KIT.resolve("stop_neutron.sh").toString()), 30);
        try (Stream<Path> s = Files.walk(state)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(state.toFile());
        pb.environment().put("CONFORMANCE_STATE", state.toString());
        Path log = Files.createTempFile(state, "out-", ".txt");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n"
                    + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private void tempest(TestStores.Store store) throws Exception {
        try (TapguardServer server = TapguardServer.start(ServerConfig.keystone(store.url(), KEYSTONE))) {
            Result r = run(List.of(KIT.resolve("run_tempest.sh").toString(), server.url() + "/"), 900);
            Matcher m = Pattern.compile("TOTAL (\\d+): pass (\\d+), fail (\\d+), skip (\\d+)").matcher(r.output());
            assertThat(m.find()).as(r.output()).isTrue();
            System.out.println("tempest against " + store.url() + ": " + m.group());
            assertThat(m.group()).as(r.output()).isEqualTo("TOTAL 99: pass 99, fail 0, skip 0");
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    @Test
    void tempestSecurityGroupSuitesPassOnH2() throws Exception {
        try (TestStores.Store store = TestStores.h2()) {
            tempest(store);
        }
    }

    @Test
    void tempestSecurityGroupSuitesPassOnPostgres() throws Exception {
        try (TestStores.Store store = TestStores.postgres()) {
            tempest(store);
        }
    }

    @Test
    void scriptedRequestsMatchNeutronsStatusesAndErrorTypes() throws Exception {
        try (TestStores.Store store = TestStores.h2();
             TapguardServer server = TapguardServer.start(ServerConfig.keystone(store.url(), KEYSTONE))) {
            Result ks = run(List.of(KIT.resolve("start_keystone.sh").toString(), server.url() + "/"), 60);
            assertThat(ks.exit()).as(ks.output()).isZero();
            Path out = state.resolve("samples.json");
            Result r = run(List.of("/usr/bin/python3", KIT.resolve("capture_samples.py").toString(), server.url(),
                    "--json", out.toString()), 300);
            assertThat(r.exit()).as(r.output()).isZero();
            JsonNode ref = Http.MAPPER.readTree(KIT.resolve("samples_reference.json").toFile());
            JsonNode got = Http.MAPPER.readTree(out.toFile());
            assertThat(got).hasSameSizeAs(ref);
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < ref.size(); i++) {
                JsonNode a = ref.get(i);
                JsonNode b = got.get(i);
                if (a.path("status").asInt() == 500) {
                    // Neutron's own server error (rule description update): Tapguard answers it properly
                    assertThat(b.path("status").asInt()).isLessThan(500);
                    continue;
                }
                String ta = a.path("response").path("NeutronError").path("type").asText("");
                String tb = b.path("response").path("NeutronError").path("type").asText("");
                if (a.path("status").asInt() != b.path("status").asInt() || !ta.equals(tb)) {
                    mismatches.add((i + 1) + " " + a.path("title").asText() + ": neutron " + a.path("status")
                            + " " + ta + ", tapguard " + b.path("status") + " " + tb);
                }
            }
            assertThat(mismatches).isEmpty();
        }
    }

    @Test
    void theOpenstackCliShowsWhatItShowsAgainstNeutron() throws Exception {
        Path script = Path.of(ConformanceTest.class.getResource("/conformance/cli_scenario.sh").toURI());
        script.toFile().setExecutable(true);
        String expected = new String(ConformanceTest.class.getResourceAsStream(
                "/conformance/cli_scenario.neutron.txt").readAllBytes(), StandardCharsets.UTF_8);
        try (TestStores.Store store = TestStores.h2();
             TapguardServer server = TapguardServer.start(ServerConfig.keystone(store.url(), KEYSTONE))) {
            Result ks = run(List.of(KIT.resolve("start_keystone.sh").toString(), server.url() + "/"), 60);
            assertThat(ks.exit()).as(ks.output()).isZero();
            // tempest-user1 of the kit's accounts.yaml, the token the transcript was recorded with
            String token = "fk1:e3bf937d60aa5a6ea514909932209910:5bd3b0185e8959c08099b0730dfb0f47:member,reader";
            Result r = run(List.of("bash", script.toString(), server.url() + "/", token, "tgsrv-cli"), 600);
            List<String> want = blocks(expected);
            List<String> got = blocks(r.output());
            assertThat(got).as(r.output()).hasSameSizeAs(want);
            for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i)).as("step " + (i + 1)).isEqualTo(want.get(i));
            }
        }
    }

    /** A transcript as comparable blocks: command, output (JSON canonicalised, ids and times masked), status. */
    static List<String> blocks(String transcript) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : transcript.split("\n")) {
            if (line.startsWith("$ openstack ")) {
                if (cur != null) {
                    out.add(canonical(cur.toString()));
                }
                cur = new StringBuilder(line).append('\n');
            } else if (cur != null) {
                cur.append(line).append('\n');
            }
        }
        if (cur != null) {
            out.add(canonical(cur.toString()));
        }
        return out;
    }

    private static String canonical(String block) {
        int nl = block.indexOf('\n');
        String cmd = mask(block.substring(0, nl));
        String body = block.substring(nl + 1);
        int rc = body.lastIndexOf("[rc=");
        String status = rc >= 0 ? body.substring(rc).strip() : "";
        String text = rc >= 0 ? body.substring(0, rc) : body;
        String shown;
        try {
            JsonNode json = Http.MAPPER.readTree(text);
            shown = json == null ? mask(text.strip()) : sorted(json).toString();
        } catch (IOException e) {
            shown = mask(text.strip());
        }
        return cmd + "\n" + shown + "\n" + status;
    }

    private static String mask(String s) {
        return s.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ", "<time>");
    }

    /** Object keys sorted, arrays in a content order (servers list in id order, and ids are random). */
    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            Map<String, JsonNode> m = new TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getKey().equals("revision_number")
                    || e.getKey().equals("standard_attr_id") ? JsonNodeFactory.instance.textNode("<n>")
                    : sorted(e.getValue())));
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            m.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            n.forEach(x -> items.add(sorted(x)));
            items.sort(Comparator.comparing(JsonNode::toString));
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            items.forEach(a::add);
            return a;
        }
        if (n.isTextual()) {
            return JsonNodeFactory.instance.textNode(mask(n.asText()));
        }
        return n;
    }
}
