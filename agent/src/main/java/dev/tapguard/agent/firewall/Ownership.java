package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Verdict;

/**
 * What in the kernel is Tapguard's: chains named {@code <wrap>-*} and {@code neutron-filter-top} (Neutron's layout,
 * so an operator's knowledge carries over), the jumps into them from built-in chains, and ipsets named
 * {@code NIPv4*}/{@code NIPv6*}. Everything else is foreign and is never rewritten.
 */
public record Ownership(String wrap) {

    public static final String FILTER_TOP = "neutron-filter-top";

    public boolean ownsChain(String chain) {
        return chain.length() > wrap.length() && chain.startsWith(wrap) && chain.charAt(wrap.length()) == '-'
                || chain.equals(FILTER_TOP);
    }

    /** A rule in a built-in chain that jumps into one of our chains. */
    public boolean ownsHook(Rule r) {
        if (r.verdict() instanceof Verdict.Jump j) {
            return ownsChain(j.chain());
        }
        if (r.verdict() instanceof Verdict.Goto g) {
            return ownsChain(g.chain());
        }
        return false;
    }

    public boolean ownsIpset(String name) {
        return name.startsWith("NIPv4") || name.startsWith("NIPv6");
    }

    /**
     * The fail-closed chain, hooked first in FORWARD and INPUT: it drops the traffic of every port whose rules could
     * not be applied, so such a port is never left open while the agent retries.
     */
    public String guardChain() {
        return wrap + "-guard";
    }
}
