package dev.tapguard.bench;

import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.IptablesSavePrinter;
import dev.tapguard.netfilter.Table;
import dev.tapguard.render.RenderResult;
import java.util.concurrent.CompletableFuture;

/**
 * Everything a fresh host is fed: ipset restore input and the restore text of both families, the two families
 * printed on two threads as an agent would feed iptables-restore and ip6tables-restore at once.
 */
record RestorePayload(String ipset, String ipv4, String ipv6) {

    int length() {
        return ipset.length() + ipv4.length() + ipv6.length();
    }

    static RestorePayload of(RenderResult r) {
        CompletableFuture<String> v6 = CompletableFuture.supplyAsync(() -> family(r, Family.IPV6));
        StringBuilder sb = new StringBuilder(1 << 16);
        for (IpSet s : r.ruleset().ipsets()) {
            sb.append("create ").append(s.name()).append(" hash:net family ").append(s.ipsetFamily()).append('\n');
            for (String m : s.members()) {
                sb.append("add ").append(s.name()).append(' ').append(m).append('\n');
            }
        }
        String v4 = family(r, Family.IPV4);
        return new RestorePayload(sb.toString(), v4, v6.join());
    }

    private static String family(RenderResult r, Family f) {
        int rules = 0;
        for (Table t : r.ruleset().tables(f)) {
            rules += t.ruleCount();
        }
        StringBuilder sb = new StringBuilder(rules * 150 + 4096);
        for (Table t : r.ruleset().tables(f)) {
            IptablesSavePrinter.appendTo(sb, t);
        }
        return sb.toString();
    }
}
