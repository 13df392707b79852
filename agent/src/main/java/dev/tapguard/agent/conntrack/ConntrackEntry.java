package dev.tapguard.agent.conntrack;

import java.util.ArrayList;
import java.util.List;

/**
 * The original direction of one {@code conntrack -L} line: protocol number, addresses, and ports or ICMP
 * type/code/id (null when the protocol has none).
 */
public record ConntrackEntry(int protocol, String src, String dst, Integer sport, Integer dport, Integer icmpType,
                             Integer icmpCode, Integer icmpId, int zone) {

    /** Parses the lines of {@code conntrack -L -o extended|default}; lines it cannot read are skipped. */
    public static List<ConntrackEntry> parseAll(String text) {
        List<ConntrackEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            ConntrackEntry e = parse(line);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    static ConntrackEntry parse(String line) {
        String[] w = line.strip().split("\\s+");
        int i = 0;
        if (w.length > 2 && (w[0].equals("ipv4") || w[0].equals("ipv6"))) {
            i = 2; // -o extended prefixes l3 name and number
        }
        if (w.length < i + 3) {
            return null;
        }
        int proto;
        try {
            proto = Integer.parseInt(w[i + 1]);
        } catch (NumberFormatException e) {
            return null;
        }
        String src = null;
        String dst = null;
        Integer sport = null;
        Integer dport = null;
        Integer type = null;
        Integer code = null;
        Integer id = null;
        int zone = 0;
        int srcSeen = 0;
        for (int k = i + 2; k < w.length; k++) {
            String t = w[k];
            int eq = t.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = t.substring(0, eq);
            String val = t.substring(eq + 1);
            if (key.equals("src")) {
                srcSeen++;
            }
            if (key.equals("zone")) {
                zone = parseInt(val, 0);
            }
            if (srcSeen != 1) {
                continue; // only the original tuple
            }
            switch (key) {
                case "src" -> src = val;
                case "dst" -> dst = val;
                case "sport" -> sport = parseInt(val, null);
                case "dport" -> dport = parseInt(val, null);
                case "type" -> type = parseInt(val, null);
                case "code" -> code = parseInt(val, null);
                case "id" -> id = parseInt(val, null);
                default -> {
                }
            }
        }
        if (src == null || dst == null) {
            return null;
        }
        return new ConntrackEntry(proto, src, dst, sport, dport, type, code, id, zone);
    }

    private static Integer parseInt(String s, Integer dflt) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** {@code conntrack -D} arguments that delete exactly this entry. */
    public List<String> deleteArgs(boolean ipv6) {
        List<String> a = new ArrayList<>(List.of("conntrack", "-D", "-w", Integer.toString(zone), "-f",
                ipv6 ? "ipv6" : "ipv4", "-p", Integer.toString(protocol), "-s", src, "-d", dst));
        if (sport != null && dport != null) {
            a.addAll(List.of("--sport", sport.toString(), "--dport", dport.toString()));
        }
        if (icmpType != null) {
            String p = ipv6 ? "--icmpv6-" : "--icmp-";
            a.addAll(List.of(p + "type", icmpType.toString()));
            if (icmpCode != null) {
                a.addAll(List.of(p + "code", icmpCode.toString()));
            }
            if (icmpId != null) {
                a.addAll(List.of(p + "id", icmpId.toString()));
            }
        }
        return a;
    }
}
