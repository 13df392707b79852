package dev.tapguard.render;

/**
 * Agent settings that change what is rendered, with Neutron's defaults: the chain wrap (first 16 characters of the
 * agent's process name, {@code neutron-openvswi} for neutron-openvswitch-agent), ipset on, comments on, IPv6 on.
 */
public record RenderOptions(String wrapName, boolean enableIpset, boolean commentRules, boolean ipv6Enabled) {

    public static final String DEFAULT_WRAP = "neutron-openvswi";
    public static final RenderOptions DEFAULTS = new RenderOptions(DEFAULT_WRAP, true, true, true);

    public RenderOptions {
        if (wrapName == null || wrapName.isEmpty()) {
            throw new IllegalArgumentException("wrap name must not be empty");
        }
        wrapName = wrapName.length() > 16 ? wrapName.substring(0, 16) : wrapName;
        wrapName = wrapName.replace(' ', '_');
    }

    /** The wrap Neutron derives from a binary name: its first 16 characters. */
    public static RenderOptions forBinary(String binaryName, boolean enableIpset, boolean commentRules,
                                          boolean ipv6Enabled) {
        return new RenderOptions(binaryName, enableIpset, commentRules, ipv6Enabled);
    }

    public RenderOptions withIpset(boolean on) {
        return new RenderOptions(wrapName, on, commentRules, ipv6Enabled);
    }
}
