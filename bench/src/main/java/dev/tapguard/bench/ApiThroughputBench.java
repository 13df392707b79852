package dev.tapguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Security-group rule create and list throughput of Neutron-API endpoints, measured with the same client, side by
 * side: {@code ApiThroughputBench --rules N --lists M --clients C --token ADMIN_TOKEN name=URL [name=URL ...]}.
 * For each endpoint: lift the project's rule and group quotas, create one group, create N rules in it (C clients
 * at once), list the group's rules M times, delete the group. Prints operations per second and the ratio of each
 * endpoint to the first one. Each endpoint first gets the same untimed warm-up run ({@code --warmup N} rules,
 * {@code --warmup-lists M} lists): a JVM reaches its steady state only once its hot paths are compiled.
 */
public final class ApiThroughputBench {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    private ApiThroughputBench(String token) {
        this.token = token;
    }

    record Figures(double createsPerSecond, double listsPerSecond, int rulesListed, int errors) {
    }

    public static void main(String[] args) throws Exception {
        int rules = 500;
        int lists = 50;
        int clients = 1;
        int warmup = 200;
        int warmupLists = 1000;
        String token = null;
        Map<String, String> targets = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rules" -> rules = Integer.parseInt(args[++i]);
                case "--lists" -> lists = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--token" -> token = args[++i];
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-lists" -> warmupLists = Integer.parseInt(args[++i]);
                default -> {
                    String[] kv = args[i].split("=", 2);
                    targets.put(kv[0], kv[1].replaceAll("/+$", ""));
                }
            }
        }
        if (token == null || targets.isEmpty()) {
            System.err.println("usage: ApiThroughputBench --token ADMIN_TOKEN [--rules N] [--lists M] [--clients C] "
                    + "name=URL ...");
            System.exit(2);
        }
        ApiThroughputBench b = new ApiThroughputBench(token);
        Map<String, Figures> results = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : targets.entrySet()) {
            // the same untimed warm-up on every endpoint (a JVM compiles its hot paths first), then the timed run
            if (warmup > 0) {
                b.measure(t.getValue(), warmup, warmupLists, clients);
            }
            results.put(t.getKey(), b.measure(t.getValue(), rules, lists, clients));
        }
        System.out.printf(Locale.ROOT, "%nrule create and list throughput (%d rules, %d lists of the group's rules, "
                + "%d client%s)%n", rules, lists, clients, clients == 1 ? "" : "s");
        System.out.printf(Locale.ROOT, "%-12s %14s %14s %12s %8s%n", "endpoint", "creates/s", "lists/s",
                "rules/list", "errors");
        Figures first = results.values().iterator().next();
        for (Map.Entry<String, Figures> e : results.entrySet()) {
            Figures f = e.getValue();
            System.out.printf(Locale.ROOT, "%-12s %14.1f %14.1f %12d %8d%n", e.getKey(), f.createsPerSecond(),
                    f.listsPerSecond(), f.rulesListed(), f.errors());
        }
        String firstName = results.keySet().iterator().next();
        for (Map.Entry<String, Figures> e : results.entrySet()) {
            if (e.getValue() == first) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%s / %s: create x%.1f, list x%.1f%n", firstName, e.getKey(),
                    first.createsPerSecond() / e.getValue().createsPerSecond(),
                    first.listsPerSecond() / e.getValue().listsPerSecond());
        }
    }

    private Figures measure(String base, int rules, int lists, int clients) throws Exception {
        JsonNode g = call("POST", base + "/v2.0/security-groups",
                "{\"security_group\": {\"name\": \"tgsrv-bench\"}}").json();
        String project = g.path("security_group").path("project_id").asText();
        call("PUT", base + "/v2.0/quotas/" + project,
                "{\"quota\": {\"security_group_rule\": -1, \"security_group\": -1}}");
        String sg = g.path("security_group").path("id").asText();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < rules) {
                    int port = 1 + i;
                    int status = status("POST", base + "/v2.0/security-group-rules", "{\"security_group_rule\": "
                            + "{\"security_group_id\": \"" + sg + "\", \"direction\": \"ingress\", \"protocol\": "
                            + "\"tcp\", \"port_range_min\": " + port + ", \"port_range_max\": " + port
                            + ", \"remote_ip_prefix\": \"10.0.0.0/8\"}}");
                    if (status != 201) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double createSeconds = (System.nanoTime() - t0) / 1e9;
        AtomicInteger listed = new AtomicInteger();
        AtomicInteger remaining = new AtomicInteger(lists);
        fs.clear();
        long t1 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                while (remaining.getAndDecrement() > 0) {
                    // the server's work is measured: the client reads the bytes but does not parse them
                    int status = status("GET", base + "/v2.0/security-group-rules?security_group_id=" + sg, null);
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double listSeconds = (System.nanoTime() - t1) / 1e9;
        listed.set(call("GET", base + "/v2.0/security-group-rules?security_group_id=" + sg, null).json()
                .path("security_group_rules").size());
        pool.shutdown();
        call("DELETE", base + "/v2.0/security-groups/" + sg, null);
        return new Figures(rules / createSeconds, lists / listSeconds, listed.get(), errors.get());
    }

    private record Reply(int status, JsonNode json) {
    }

    /** A plain blocking call (HttpURLConnection, keep-alive) that reads but does not parse the answer. */
    private int status(String method, String url, String body) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod(method);
            c.setRequestProperty("X-Auth-Token", token);
            c.setRequestProperty("Accept", "application/json");
            if (body != null) {
                byte[] data = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(data.length);
                try (java.io.OutputStream out = c.getOutputStream()) {
                    out.write(data);
                }
            }
            int status = c.getResponseCode();
            try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            return status;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Reply call(String method, String url, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                    .header("X-Auth-Token", token).header("Accept", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? null : MAPPER.readTree(r.body());
            return new Reply(r.statusCode(), json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
