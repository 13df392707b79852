package dev.tapguard.agent.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A labpeer.py process inside one namespace: sockets, pings, sniffing and hand-made packets on request. */
public final class LabPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String ns;
    private final String iface;
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    public LabPeer(String ns, String iface, Path script) throws IOException {
        this.ns = ns;
        this.iface = iface;
        process = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/bin/python3", "-u", script.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = process.getOutputStream();
        JsonNode ready = read();
        if (ready == null || !ready.path("ready").asBoolean()) {
            throw new IOException("lab peer in " + ns + " did not start");
        }
    }

    public static Path script() throws IOException {
        Path p = Files.createTempFile("tga-labpeer", ".py");
        try (var s = LabPeer.class.getResourceAsStream("/lab/labpeer.py")) {
            Files.write(p, s.readAllBytes());
        }
        p.toFile().deleteOnExit();
        return p;
    }

    public synchronized JsonNode call(ObjectNode cmd) {
        try {
            in.write((cmd.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            JsonNode r = read();
            if (r == null) {
                throw new IllegalStateException("lab peer in " + ns + " exited");
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("lab peer in " + ns + ": " + e.getMessage(), e);
        }
    }

    private JsonNode read() throws IOException {
        String line = out.readLine();
        return line == null ? null : JSON.readTree(line);
    }

    public static ObjectNode op(String op, Object... kv) {
        ObjectNode o = JSON.createObjectNode().put("op", op);
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            String k = (String) kv[i];
            if (v instanceof Integer n) {
                o.put(k, n);
            } else if (v instanceof Double d) {
                o.put(k, d);
            } else if (v instanceof Boolean b) {
                o.put(k, b);
            } else {
                o.put(k, String.valueOf(v));
            }
        }
        return o;
    }

    public boolean ok(ObjectNode cmd) {
        return call(cmd).path("ok").asBoolean();
    }

    public void must(ObjectNode cmd) {
        JsonNode r = call(cmd);
        if (!r.path("ok").asBoolean()) {
            throw new IllegalStateException(ns + ": " + cmd + " failed: " + r);
        }
    }

    public void tcpListen(int port) {
        must(op("tcp_listen", "port", port));
    }

    public void udpListen(int port) {
        must(op("udp_listen", "port", port));
    }

    public boolean tcpConnect(String id, String host, int port) {
        return ok(op("tcp_connect", "id", id, "host", host, "port", port, "timeout", 1.5));
    }

    public boolean tcpEcho(String id, String data) {
        return ok(op("tcp_echo", "id", id, "data", data, "timeout", 1.5));
    }

    public boolean udpProbe(String host, int port) {
        return ok(op("udp_probe", "host", host, "port", port, "timeout", 1.0));
    }

    public boolean ping(String host) {
        return ok(op("ping", "host", host, "timeout", 1.0, "iface", iface));
    }

    public void sniffStart(String id, String iface, String filter) {
        must(op("sniff_start", "id", id, "iface", iface, "filter", filter));
    }

    public int sniffStop(String id) {
        return call(op("sniff_stop", "id", id)).path("count").asInt();
    }

    public void send(String scapyPacket, boolean l2) {
        must(op("send", "packet", scapyPacket, "l2", l2, "iface", iface));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
