package dev.tapguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the reference scripts in ../shared/bench with Debian's python (where real Neutron imports). */
final class NeutronReference {
    private NeutronReference() {
    }

    static final Path PYTHON = Path.of("/usr/bin/python3");

    static Path shared() {
        String env = System.getenv("TAPGUARD_SHARED");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("test.sh"))) {
            p = p.getParent();
        }
        return (p == null ? Path.of("").toAbsolutePath() : p).resolveSibling("shared");
    }

    static boolean available() {
        return Files.isExecutable(PYTHON) && Files.exists(Path.of("/usr/lib/python3/dist-packages/neutron"))
                && Files.exists(shared().resolve("bench/neutron_render_bench.py"));
    }

    /** One run of neutron_render_bench.py; its JSON line. */
    static JsonNode renderBench(int ports, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(),
                shared().resolve("bench/neutron_render_bench.py").toString(), String.valueOf(ports)));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("neutron_render_bench.py exited " + p.exitValue());
        }
        String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
        return new ObjectMapper().readTree(last);
    }
}
