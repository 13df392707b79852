package dev.tapguard.agent.plumbing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ovs-vsctl and ovs-ofctl through the command runner. With a run directory set (a private Open vSwitch, as in the
 * lab) the database socket and each bridge's management socket are addressed inside it; otherwise the defaults.
 */
public final class OvsClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final CommandRunner runner;
    private final String rundir;

    public OvsClient(CommandRunner runner, String rundir) {
        this.runner = runner;
        this.rundir = rundir == null || rundir.isBlank() ? null : rundir;
    }

    public CommandResult vsctl(String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--timeout=10"));
        if (rundir != null) {
            argv.add("--db=unix:" + rundir + "/db.sock");
        }
        argv.addAll(List.of(args));
        return runner.check(Command.of(argv));
    }

    public CommandResult vsctl(List<String> args) {
        return vsctl(args.toArray(String[]::new));
    }

    /** {@code ovs-ofctl SUBCOMMAND BRIDGE ARGS...}, with flows on stdin when given. */
    public CommandResult ofctl(String subcommand, String bridge, String stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of("ovs-ofctl", subcommand, target(bridge)));
        argv.addAll(List.of(args));
        Command c = Command.of(argv);
        return runner.check(stdin == null ? c : c.withStdin(stdin));
    }

    private String target(String bridge) {
        return rundir == null ? bridge : "unix:" + rundir + "/" + bridge + ".mgmt";
    }

    /** Rows of a table as column name to JSON value ({@code ovs-vsctl --format=json list TABLE}). */
    public List<Map<String, JsonNode>> list(String table, String... columns) {
        List<String> args = new ArrayList<>(List.of("--format=json"));
        if (columns.length > 0) {
            args.add("--columns=" + String.join(",", columns));
        }
        args.add("list");
        args.add(table);
        String out = vsctl(args).stdout();
        List<Map<String, JsonNode>> rows = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(out);
            JsonNode headings = root.get("headings");
            for (JsonNode row : root.get("data")) {
                Map<String, JsonNode> m = new LinkedHashMap<>();
                for (int i = 0; i < headings.size(); i++) {
                    m.put(headings.get(i).asText(), row.get(i));
                }
                rows.add(m);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read ovs-vsctl list " + table + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** An OVSDB map value (["map", [[k, v], ...]]) as a Java map of strings. */
    public static Map<String, String> map(JsonNode v) {
        Map<String, String> m = new LinkedHashMap<>();
        if (v != null && v.isArray() && v.size() == 2 && v.get(0).asText().equals("map")) {
            for (JsonNode kv : v.get(1)) {
                m.put(kv.get(0).asText(), kv.get(1).asText());
            }
        }
        return m;
    }

    /** An OVSDB optional integer (a number, or ["set", []] when empty). */
    public static Integer optionalInt(JsonNode v) {
        return v != null && v.isNumber() ? v.asInt() : null;
    }

    /** An OVSDB string (or a one-element set). */
    public static String string(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return null;
    }
}
