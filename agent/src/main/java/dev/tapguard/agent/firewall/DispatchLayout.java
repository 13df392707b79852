package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Pure: how the per-port dispatch chains are laid out in the kernel. Neutron keeps every port's dispatch rules in
 * four shared chains ({@code <wrap>-FORWARD}, {@code -INPUT}, {@code -sg-chain} in filter, {@code -PREROUTING} in
 * raw): 2000 ports make chains of 2000 to 6000 rules, and iptables-nft must read such a chain back (about 2.4 MB of
 * netlink for 4000 rules) to delete a single rule from it. The bucketed layout (Tapguard's default, a deliberate
 * deviation, docs/AGENT.md) moves each port's dispatch rules, text unchanged, into one of up to {@value #BUCKETS}
 * bucket chains chosen by a stable hash of the port id; the shared chain jumps to its non-empty buckets in bucket
 * order, then keeps its device-less tail (sg-chain's final ACCEPT). Removing a port then reads a bucket of a few
 * dozen rules instead of the whole chain.
 *
 * <p>Same verdicts for every packet: a dispatch rule matches one device (a non-negated {@code --physdev-in/out} or
 * {@code -i}), no two ports' rules match the same packet, and their targets are jumps, CT or ACCEPT, never RETURN,
 * so a packet meets the same matching rule in the same relative order whether the rules sit in one chain or in
 * buckets reached by unconditional jumps, and the tail still comes last. {@code DispatchLayoutTest} checks it
 * packet by packet against the flat layout.
 *
 * @param buckets number of buckets; 0 keeps Neutron's flat layout
 */
public record DispatchLayout(int buckets) {

    public static final int BUCKETS = 64;

    /** Neutron's layout: the dispatch chains are written as rendered. */
    public static final DispatchLayout FLAT = new DispatchLayout(0);

    /** Tapguard's default. */
    public static final DispatchLayout BUCKETED = new DispatchLayout(BUCKETS);

    /** Stem of each dispatch chain (after {@code <wrap>-}) and of its buckets ({@code <wrap>-<short>-<hex>}). */
    private static final Map<String, String> SHORT = Map.of("FORWARD", "FWD", "INPUT", "INP", "sg-chain", "SGC",
            "PREROUTING", "PRE");

    public DispatchLayout {
        if (buckets < 0 || buckets > 256) {
            throw new IllegalArgumentException("buckets must be 0..256: " + buckets);
        }
    }

    /** The stem (after {@code <wrap>-}) if this chain is one of the shared dispatch chains, else null. */
    static String dispatchStem(String wrap, String chain) {
        if (chain.length() <= wrap.length() + 1 || !chain.startsWith(wrap) || chain.charAt(wrap.length()) != '-') {
            return null;
        }
        String stem = chain.substring(wrap.length() + 1);
        return SHORT.containsKey(stem) ? stem : null;
    }

    /** True for a bucket chain name of any wrap: {@code ...-FWD-3f}, {@code -INP-}, {@code -SGC-}, {@code -PRE-}. */
    public static boolean isBucket(String chain) {
        int n = chain.length();
        if (n < 8 || chain.charAt(n - 3) != '-' || !hex(chain.charAt(n - 2)) || !hex(chain.charAt(n - 1))
                || chain.charAt(n - 7) != '-') {
            return false;
        }
        String s = chain.substring(n - 6, n - 3);
        return s.equals("FWD") || s.equals("INP") || s.equals("SGC") || s.equals("PRE");
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }

    /** The bucket chain {@code b} of a dispatch chain. */
    static String bucketChain(String wrap, String stem, int b) {
        return wrap + "-" + SHORT.get(stem) + "-" + String.format("%02x", b);
    }

    /** The bucket of a port: CRC-32 of its id, so it never moves while the port exists. */
    int bucketOf(String portId) {
        CRC32 crc = new CRC32();
        crc.update(portId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % buckets);
    }

    /** A rule that matches exactly one device: a non-negated physdev in/out or {@code -i}. */
    static boolean deviceRule(Rule r) {
        for (Match m : r.matches()) {
            if (m instanceof Match.Physdev p && (p.physdevIn() != null || p.physdevOut() != null)) {
                return true;
            }
            if (m instanceof Match.Interface i && i.in() && !i.negated()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The chains one rendered dispatch chain becomes, in order: the chain itself (device rules without a port, the
     * jumps to its non-empty buckets, then its tail: everything from the first rule that matches no single device),
     * then the buckets in bucket order. With no buckets, or a chain that is not a dispatch chain: the chain as it is.
     *
     * @param bucketCache port id to bucket, filled as ports are seen (a pure memo)
     */
    public Map<String, List<Rule>> split(String wrap, String chain, List<Rule> rules,
                                         Map<String, Integer> bucketCache) {
        String stem = buckets == 0 ? null : dispatchStem(wrap, chain);
        if (stem == null) {
            return Map.of(chain, rules);
        }
        List<Rule> head = new ArrayList<>();
        List<Rule> tail = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Rule>[] byBucket = new List[buckets];
        for (Rule r : rules) {
            String port = r.provenance() == null ? null : r.provenance().portId();
            if (!tail.isEmpty() || !deviceRule(r)) {
                tail.add(r);
            } else if (port == null) {
                head.add(r);
            } else {
                int b = bucketCache.computeIfAbsent(port, this::bucketOf);
                if (byBucket[b] == null) {
                    byBucket[b] = new ArrayList<>();
                }
                byBucket[b].add(r);
            }
        }
        Map<String, List<Rule>> out = new LinkedHashMap<>();
        List<Rule> parent = new ArrayList<>(head);
        Map<String, List<Rule>> bucketChains = new LinkedHashMap<>();
        for (int b = 0; b < buckets; b++) {
            if (byBucket[b] != null) {
                String name = bucketChain(wrap, stem, b);
                parent.add(jump(name));
                bucketChains.put(name, byBucket[b]);
            }
        }
        parent.addAll(tail);
        out.put(chain, parent);
        out.putAll(bucketChains);
        return out;
    }

    /** The ruleset as the agent writes it: every dispatch chain split as {@link #split} does, buckets after it. */
    public Ruleset apply(Ruleset ruleset, String wrap) {
        Map<String, Integer> cache = new HashMap<>();
        Map<Family, List<Table>> tables = new EnumMap<>(Family.class);
        ruleset.tables().forEach((f, ts) -> {
            List<Table> out = new ArrayList<>();
            for (Table t : ts) {
                List<Chain> chains = new ArrayList<>();
                for (Chain c : t.chains()) {
                    split(wrap, c.name(), c.rules(), cache).forEach((name, rules) -> chains.add(
                            name.equals(c.name()) ? c.withRules(rules) : new Chain(name, null, rules)));
                }
                out.add(new Table(t.name(), chains));
            }
            tables.put(f, out);
        });
        return new Ruleset(tables, ruleset.ipsets(), ruleset.chainPorts());
    }

    private static final Map<String, Rule> JUMPS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The unconditional jump to a bucket (one object per name, so an unchanged parent compares by identity). */
    static Rule jump(String bucket) {
        return JUMPS.computeIfAbsent(bucket,
                b -> Rule.of(new Verdict.Jump(b), Provenance.of(Provenance.Role.PORT_DISPATCH)));
    }

    /** Port id to bucket for a fresh memo. */
    public static Map<String, Integer> newBucketCache() {
        return new HashMap<>();
    }
}
