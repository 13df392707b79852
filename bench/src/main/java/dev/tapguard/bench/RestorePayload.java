package dev.tapguard.bench;

import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.render.RenderResult;

/** Everything a fresh host is fed: ipset restore input and the restore text of both families. */
final class RestorePayload {
    private RestorePayload() {
    }

    static String of(RenderResult r) {
        StringBuilder sb = new StringBuilder(1 << 24);
        for (IpSet s : r.ruleset().ipsets()) {
            sb.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily()).append('\n');
            for (String m : s.members()) {
                sb.append("add ").append(s.name()).append(' ').append(m).append('\n');
            }
        }
        for (Family f : Family.values()) {
            sb.append(IptablesSavePrinter.print(r.ruleset().tables(f)));
        }
        return sb.toString();
    }
}
