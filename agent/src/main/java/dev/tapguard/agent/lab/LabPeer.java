package dev.tapguard.agent.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.exec.RunningCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A peer inside one namespace of the lab (a VM or the fabric host): {@code labpeer.py} under {@code /usr/bin/python3}
 * with scapy loaded once, answering one JSON line per request: sockets (TCP echo, UDP echo), pings, sniffing and
 * hand-made packets (IP protocol 4, 47, spoofed sources, a DHCP offer). Started through the lab's command runner.
 */
public final class LabPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String ns;
    private final String iface;
    private final RunningCommand process;
    private final OutputStream in;
    private final Deque<String> errors = new ArrayDeque<>();

    LabPeer(CommandRunner runner, String ns, String iface, Path script) throws IOException {
        this.ns = ns;
        this.iface = iface;
        process = runner.start(Lab.inNs(ns, "/usr/bin/python3", "-u", script.toString()));
        in = process.stdin();
        Thread drain = new Thread(() -> {
            try {
                String line;
                while ((line = process.stderr().readLine()) != null) {
                    synchronized (errors) {
                        errors.addLast(line);
                        if (errors.size() > 20) {
                            errors.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the peer is gone
            }
        }, "lab-peer-stderr-" + ns);
        drain.setDaemon(true);
        drain.start();
        JsonNode ready = read();
        if (ready == null || !ready.path("ready").asBoolean()) {
            process.close();
            throw new IOException("lab peer in " + ns + " did not start: " + lastErrors());
        }
    }

    public String namespace() {
        return ns;
    }

    private String lastErrors() {
        synchronized (errors) {
            return String.join(" | ", errors);
        }
    }

    /** Sends one request, returns its answer; throws if the peer died. */
    public synchronized JsonNode call(ObjectNode cmd) {
        try {
            in.write((cmd.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            JsonNode r = read();
            if (r == null) {
                throw new IllegalStateException("lab peer in " + ns + " exited: " + lastErrors());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("lab peer in " + ns + (process.alive() ? ": " + e.getMessage()
                    : " exited") + (lastErrors().isEmpty() ? "" : ": " + lastErrors()), e);
        }
    }

    private JsonNode read() throws IOException {
        String line = process.stdout().readLine();
        return line == null ? null : JSON.readTree(line);
    }

    /** A request: {@code op} and key/value pairs (Integer, Double, Boolean or text). */
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

    /** A TCP echo server on the port (IPv4). */
    public void tcpListen(int port) {
        must(op("tcp_listen", "port", port));
    }

    /** A UDP echo server on the port (IPv4). */
    public void udpListen(int port) {
        must(op("udp_listen", "port", port));
    }

    /** Opens a TCP connection kept under {@code id}: true when the handshake completed. */
    public boolean tcpConnect(String id, String host, int port) {
        return ok(op("tcp_connect", "id", id, "host", host, "port", port, "timeout", 1.5));
    }

    /** Sends data on connection {@code id}: true when the same data came back. */
    public boolean tcpEcho(String id, String data) {
        return ok(op("tcp_echo", "id", id, "data", data, "timeout", 1.5));
    }

    /** One UDP datagram to an echo server: true when it came back. */
    public boolean udpProbe(String host, int port) {
        return ok(op("udp_probe", "host", host, "port", port, "timeout", 1.0));
    }

    /** One ICMP or ICMPv6 echo: true when answered. */
    public boolean ping(String host) {
        return ok(op("ping", "host", host, "timeout", 1.0, "iface", iface));
    }

    /** Starts sniffing under {@code id} (a BPF filter on an interface of this namespace). */
    public void sniffStart(String id, String sniffIface, String filter) {
        must(op("sniff_start", "id", id, "iface", sniffIface, "filter", filter));
    }

    /** Stops sniffer {@code id}: the number of packets it saw. */
    public int sniffStop(String id) {
        return call(op("sniff_stop", "id", id)).path("count").asInt();
    }

    /** Sends a scapy packet expression, at layer 3 (routed) or layer 2 (as written, MACs included). */
    public void send(String scapyPacket, boolean l2) {
        must(op("send", "packet", scapyPacket, "l2", l2, "iface", iface));
    }

    /** Sends it {@code count} times. */
    public void send(String scapyPacket, boolean l2, int count) {
        must(op("send", "packet", scapyPacket, "l2", l2, "iface", iface, "count", count));
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(3));
    }
}
