package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Family;
import dev.tapguard.render.DispatchBuckets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: the difference between the desired and the current (predicted) state as restore payloads that touch only
 * what changed. A changed chain is rewritten whole ({@code :chain} under {@code --noflush} flushes it) unless it is
 * long and only a few rules changed (the per-port dispatch chains: sg-chain, FORWARD, INPUT, raw PREROUTING hold
 * rules of every port), where single {@code -D}/{@code -I} edits keep one port's change O(its rules). Built-in chains
 * are never flushed: only our jumps in them are deleted and inserted, at the top.
 */
public final class FirewallPlanner {
    private FirewallPlanner() {
    }

    /** Chains shorter than this are always rewritten whole. */
    static final int EDIT_MIN_CHAIN = 32;

    public static FirewallPlan plan(FirewallState desired, FirewallState current) {
        Map<Family, String> restore = new EnumMap<>(Family.class);
        Set<String> changed = new LinkedHashSet<>();
        int[] stats = new int[6];
        for (Family f : Family.values()) {
            if (!desired.tables().containsKey(f)) {
                continue;
            }
            StringBuilder payload = new StringBuilder();
            for (String tn : FirewallState.TABLES) {
                String part = table(desired.table(f, tn), current.table(f, tn), changed, stats);
                if (part != null) {
                    payload.append(part);
                }
            }
            if (!payload.isEmpty()) {
                restore.put(f, payload.toString());
            }
        }
        StringBuilder update = new StringBuilder();
        StringBuilder destroy = new StringBuilder();
        Set<String> shrunk = new TreeSet<>();
        for (IpSetState d : desired.ipsets().values()) {
            IpSetState c = current.ipsets().get(d.name());
            if (c == null) {
                update.append("create ").append(d.name()).append(" hash:net family ").append(d.family()).append('\n');
                stats[5]++;
            }
            for (String m : d.members()) {
                if (c == null || !c.members().contains(m)) {
                    update.append("add ").append(d.name()).append(' ').append(m).append('\n');
                    stats[5]++;
                }
            }
            if (c != null) {
                for (String m : c.members()) {
                    if (!d.members().contains(m)) {
                        update.append("del ").append(d.name()).append(' ').append(m).append('\n');
                        shrunk.add(d.name());
                        stats[5]++;
                    }
                }
            }
        }
        for (IpSetState c : current.ipsets().values()) {
            if (!desired.ipsets().containsKey(c.name())) {
                destroy.append("destroy ").append(c.name()).append('\n');
                shrunk.add(c.name());
                stats[5]++;
            }
        }
        return new FirewallPlan(restore, update.isEmpty() ? null : update.toString(),
                destroy.isEmpty() ? null : destroy.toString(), desired, changed, shrunk,
                new FirewallPlan.Stats(stats[0], stats[1], stats[2], stats[3], stats[4], stats[5]));
    }

    private static String table(TableState want, TableState have, Set<String> changed, int[] stats) {
        List<String> declare = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        List<String> inserts = new ArrayList<>();
        List<String> appends = new ArrayList<>();
        List<String> hookDeletes = new ArrayList<>();
        List<String> hookInserts = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        int kept = 0;
        for (Map.Entry<String, List<OwnedRule>> e : want.chains().entrySet()) {
            String chain = e.getKey();
            List<OwnedRule> n = e.getValue();
            List<OwnedRule> o = have.chains().get(chain);
            if (o != null) {
                kept++;
                if (o == n) {
                    continue; // the common case: the desired state reused last cycle's list
                }
            }
            boolean orderFree = orderFree(chain);
            if (o != null && (orderFree ? sameSet(o, n) : sameKeys(o, n))) {
                continue;
            }
            changed.add(chain);
            List<String> edits = o == null ? null : orderFree ? setEdits(chain, o, n) : edits(chain, o, n);
            if (edits != null) {
                for (String line : edits) {
                    (line.startsWith("-D") ? deletes : inserts).add(line);
                }
                stats[2] += edits.size();
            } else {
                declare.add(chain);
                for (OwnedRule r : n) {
                    appends.add("-A " + chain + " " + r.text());
                }
                stats[0]++;
                stats[1] += n.size();
            }
        }
        for (String chain : kept == have.chains().size() ? List.<String>of() : have.chains().keySet()) {
            if (!want.chains().containsKey(chain)) {
                changed.add(chain);
                declare.add(chain);
                removes.add(chain);
                stats[4]++;
            }
        }
        Set<String> builtins = new LinkedHashSet<>(want.hooks().keySet());
        builtins.addAll(have.hooks().keySet());
        for (String b : builtins) {
            List<OwnedRule> n = want.hooks().getOrDefault(b, List.of());
            List<OwnedRule> o = have.hooks().getOrDefault(b, List.of());
            if (sameKeys(o, n) && !have.hooksNotOnTop().contains(b)) {
                continue;
            }
            for (OwnedRule r : o) {
                hookDeletes.add("-D " + b + " " + r.text());
            }
            for (int i = 0; i < n.size(); i++) {
                hookInserts.add("-I " + b + " " + (i + 1) + " " + n.get(i).text());
            }
            stats[3] += o.size() + n.size();
        }
        if (declare.isEmpty() && deletes.isEmpty() && inserts.isEmpty() && hookDeletes.isEmpty()
                && hookInserts.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(64 + 120 * (appends.size() + inserts.size()));
        sb.append('*').append(want.name()).append('\n');
        declare.stream().sorted().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
        for (List<String> part : List.of(hookDeletes, deletes, inserts, appends, hookInserts)) {
            for (String line : part) {
                sb.append(line).append('\n');
            }
        }
        for (String c : removes) {
            sb.append("-X ").append(c).append('\n');
        }
        sb.append("COMMIT\n");
        return sb.toString();
    }

    /**
     * The per-port dispatch chains (FORWARD, INPUT, sg-chain, raw PREROUTING) and their buckets
     * ({@link DispatchBuckets}): every rule in them matches one device
     * ({@code --physdev-in/out} or {@code -i}) and no two match the same packets, so their order carries no meaning
     * except for the device-less rules at the end (sg-chain's final ACCEPT). They are compared as sets and a new
     * port's rules go in at position 1, which iptables-nft does without reading the chain back; Neutron keeps them
     * sorted, which costs a read of a chain of thousands of rules per insert.
     */
    public static boolean orderFree(String chain) {
        return chain.endsWith("-FORWARD") || chain.endsWith("-INPUT") || chain.endsWith("-sg-chain")
                || chain.endsWith("-PREROUTING") || DispatchBuckets.isBucket(chain);
    }

    private static boolean deviceRule(OwnedRule r) {
        String k = r.key();
        return k.contains("--physdev-in ") || k.contains("--physdev-out ") || k.startsWith("-i ")
                || k.contains(" -i ");
    }

    /** Same device rules in any order, and the same device-less tail in the same order. */
    public static boolean sameSet(List<OwnedRule> a, List<OwnedRule> b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size()) {
            return false;
        }
        List<String> e = setEdits("", a, b);
        return e != null && e.isEmpty();
    }

    /** Deletes by spec and inserts at 1 for an order-free chain, or null when its device-less tail differs. */
    static List<String> setEdits(String chain, List<OwnedRule> o, List<OwnedRule> n) {
        List<String> tailO = new ArrayList<>();
        List<String> tailN = new ArrayList<>();
        Map<String, OwnedRule> oldDev = new java.util.LinkedHashMap<>();
        Map<String, OwnedRule> newDev = new java.util.LinkedHashMap<>();
        if (!split(o, oldDev, tailO) || !split(n, newDev, tailN) || !tailO.equals(tailN)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        oldDev.forEach((k, r) -> {
            if (!newDev.containsKey(k)) {
                out.add("-D " + chain + " " + r.text());
            }
        });
        List<OwnedRule> ins = new ArrayList<>();
        newDev.forEach((k, r) -> {
            if (!oldDev.containsKey(k)) {
                ins.add(r);
            }
        });
        for (int i = ins.size() - 1; i >= 0; i--) {
            out.add("-I " + chain + " 1 " + ins.get(i).text());
        }
        return out;
    }

    /** Device rules (unique) until the first device-less rule, which starts the tail. */
    private static boolean split(List<OwnedRule> rules, Map<String, OwnedRule> dev, List<String> tail) {
        for (OwnedRule r : rules) {
            if (tail.isEmpty() && deviceRule(r)) {
                if (dev.put(r.key(), r) != null) {
                    return false;
                }
            } else {
                tail.add(r.key());
            }
        }
        return true;
    }

    public static boolean sameKeys(List<OwnedRule> a, List<OwnedRule> b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).key().equals(b.get(i).key())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Single-rule edits turning {@code o} into {@code n}, or null when rewriting the chain is cheaper or the edits
     * cannot be expressed safely (duplicate rules). Kept rules are a longest common subsequence (rules are unique,
     * so it is a longest increasing subsequence of old positions); the others are deleted by spec, then the new ones
     * inserted at their final position in ascending order, which is exact once the deletes are done.
     */
    static List<String> edits(String chain, List<OwnedRule> o, List<OwnedRule> n) {
        if (n.size() < EDIT_MIN_CHAIN) {
            return null;
        }
        Map<String, Integer> oldIndex = new HashMap<>(o.size() * 2);
        for (int i = 0; i < o.size(); i++) {
            if (oldIndex.put(o.get(i).key(), i) != null) {
                return null;
            }
        }
        int[] seq = new int[n.size()];
        Set<String> newKeys = new java.util.HashSet<>(n.size() * 2);
        for (int j = 0; j < n.size(); j++) {
            if (!newKeys.add(n.get(j).key())) {
                return null;
            }
            Integer i = oldIndex.get(n.get(j).key());
            seq[j] = i == null ? -1 : i;
        }
        boolean[] keptNew = lis(seq);
        boolean[] keptOld = new boolean[o.size()];
        int changes = 0;
        for (int j = 0; j < n.size(); j++) {
            if (keptNew[j]) {
                keptOld[seq[j]] = true;
            } else {
                changes++;
            }
        }
        for (boolean k : keptOld) {
            if (!k) {
                changes++;
            }
        }
        if (changes * 4 > n.size()) {
            return null;
        }
        List<String> out = new ArrayList<>(changes);
        for (int i = 0; i < o.size(); i++) {
            if (!keptOld[i]) {
                out.add("-D " + chain + " " + o.get(i).text());
            }
        }
        int length = 0;
        for (boolean k : keptOld) {
            if (k) {
                length++;
            }
        }
        for (int j = 0; j < n.size(); j++) {
            if (!keptNew[j]) {
                out.add(j >= length ? "-A " + chain + " " + n.get(j).text()
                        : "-I " + chain + " " + (j + 1) + " " + n.get(j).text());
                length++;
            }
        }
        return out;
    }

    /** Marks the positions of one longest strictly increasing subsequence of the non-negative values. */
    static boolean[] lis(int[] seq) {
        int n = seq.length;
        int[] tails = new int[n];
        int[] tailIdx = new int[n];
        int[] prev = new int[n];
        Arrays.fill(prev, -1);
        int len = 0;
        for (int j = 0; j < n; j++) {
            int v = seq[j];
            if (v < 0) {
                continue;
            }
            int lo = 0;
            int hi = len;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (tails[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            tails[lo] = v;
            tailIdx[lo] = j;
            prev[j] = lo > 0 ? tailIdx[lo - 1] : -1;
            if (lo == len) {
                len++;
            }
        }
        boolean[] kept = new boolean[n];
        int j = len > 0 ? tailIdx[len - 1] : -1;
        while (j >= 0) {
            kept[j] = true;
            j = prev[j];
        }
        return kept;
    }
}
