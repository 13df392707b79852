package dev.tapguard.render;

/**
 * Agent settings that change what is rendered, with Neutron's defaults: the chain wrap (first 16 characters of the
 * agent's process name, {@code neutron-openvswi} for neutron-openvswitch-agent), ipset on, comments on, IPv6 on, and
 * the dispatch rules in Neutron's four shared chains ({@code dispatchBuckets} 0; the agent writes them in buckets,
 * see {@link DispatchBuckets}).
 */
public record RenderOptions(String wrapName, boolean enableIpset, boolean commentRules, boolean ipv6Enabled,
                            int dispatchBuckets) {

    public static final String DEFAULT_WRAP = "neutron-openvswi";
    public static final RenderOptions DEFAULTS = new RenderOptions(DEFAULT_WRAP, true, true, true);

    public RenderOptions {
        if (wrapName == null || wrapName.isEmpty()) {
            throw new IllegalArgumentException("wrap name must not be empty");
        }
        wrapName = wrapName.length() > 16 ? wrapName.substring(0, 16) : wrapName;
        wrapName = wrapName.replace(' ', '_');
        if (dispatchBuckets < 0 || dispatchBuckets > DispatchBuckets.MAX) {
            throw new IllegalArgumentException("dispatch buckets must be 0.." + DispatchBuckets.MAX + ": "
                    + dispatchBuckets);
        }
    }

    /** Neutron's layout of the dispatch chains. */
    public RenderOptions(String wrapName, boolean enableIpset, boolean commentRules, boolean ipv6Enabled) {
        this(wrapName, enableIpset, commentRules, ipv6Enabled, 0);
    }

    /** The same options with the dispatch rules in {@code n} buckets (0: Neutron's shared chains). */
    public RenderOptions withDispatchBuckets(int n) {
        return new RenderOptions(wrapName, enableIpset, commentRules, ipv6Enabled, n);
    }

    /** The wrap Neutron derives from a binary name: its first 16 characters. */
    public static RenderOptions forBinary(String binaryName, boolean enableIpset, boolean commentRules,
                                          boolean ipv6Enabled) {
        return new RenderOptions(binaryName, enableIpset, commentRules, ipv6Enabled);
    }

    public RenderOptions withIpset(boolean on) {
        return new RenderOptions(wrapName, on, commentRules, ipv6Enabled, dispatchBuckets);
    }
}
