package dev.tapguard.render;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The bucketed layout of the dispatch chains (a deliberate deviation from Neutron's layout, used by the agent;
 * {@link RenderOptions#dispatchBuckets()}). Neutron keeps every port's dispatch rules in four shared chains
 * ({@code <wrap>-FORWARD}, {@code -INPUT}, {@code -sg-chain} in filter, {@code -PREROUTING} in raw): 2000 ports make
 * chains of 2000 to 6000 rules, and iptables-nft reads a whole chain back (2.4 MB of netlink for 4000 rules) to
 * delete one rule from it. In the bucketed layout each port's dispatch rules, text unchanged, go into one of N bucket
 * chains chosen by a stable hash of the port id ({@code <wrap>-FWD-3f}, {@code -INP-}, {@code -SGC-}, {@code -PRE-});
 * the shared chain jumps to its non-empty buckets in bucket order and keeps its tail (sg-chain's final ACCEPT) last.
 * Removing a port then reads a bucket of a few dozen rules.
 *
 * <p>Every packet gets the same verdict and zone: a dispatch rule matches one device (a non-negated
 * {@code --physdev-in/out} or {@code -i}), no two ports' rules match the same packet, their targets are jumps, CT or
 * ACCEPT (never RETURN), so a packet meets the same matching rules in the same relative order whether they sit in one
 * chain or in buckets reached by unconditional jumps, and the tail still comes last ({@code DispatchBucketsTest}
 * checks it packet by packet against the flat layout).
 */
public final class DispatchBuckets {
    private DispatchBuckets() {
    }

    /** What the agent uses: about 30 ports per bucket at 2000 ports. */
    public static final int DEFAULT = 64;
    /** Two hex digits in the name. */
    public static final int MAX = 256;

    /** Short stems of the four dispatch chains, in the bucket names. */
    static final List<String> SHORT = List.of("FWD", "INP", "SGC", "PRE");

    /** Bucket {@code b} of a dispatch chain ({@code short} one of FWD, INP, SGC, PRE): at most 28 characters. */
    static String name(String wrap, String shortStem, int b) {
        return wrap + "-" + shortStem + "-" + HEX[b >> 4] + HEX[b & 15];
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** True for a bucket chain of any wrap. */
    public static boolean isBucket(String chain) {
        int n = chain.length();
        if (n < 8 || chain.charAt(n - 3) != '-' || !hex(chain.charAt(n - 2)) || !hex(chain.charAt(n - 1))
                || chain.charAt(n - 7) != '-') {
            return false;
        }
        return SHORT.contains(chain.substring(n - 6, n - 3));
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }

    /** The bucket of a port among {@code buckets}: CRC-32 of its id, so it never moves while the port exists. */
    public static int of(String portId, int buckets) {
        CRC32 crc = new CRC32();
        crc.update(portId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % buckets);
    }
}
