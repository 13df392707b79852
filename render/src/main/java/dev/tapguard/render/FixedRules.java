package dev.tapguard.render;

import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules every port chain of Neutron's layout carries, identical text in each, and the skeleton's rules, built
 * once per render (or once per options, when renders follow each other through a {@link RenderMemo}). Their
 * provenance names no port: the chain they sit in does ({@code Ruleset.chainPorts}).
 */
final class FixedRules {
    final Rule allowAssoc;
    final Rule invalidDrop;
    final Rule toFallback;
    final Rule fallbackDrop;
    final Rule pairDrop;
    final List<Rule> ingressIcmp6;
    final List<Rule> egressUnspecified4;
    final List<Rule> egressUnspecified6;
    final List<Rule> egressAfterSpoof4;
    final List<Rule> egressAfterSpoof6;
    /** The skeleton: hooks into our chains, neutron-filter-top's jump to local, sg-chain's final ACCEPT. */
    final Rule jumpFilterTop;
    final Rule jumpForward;
    final Rule jumpInput;
    final Rule jumpOutput;
    final Rule jumpLocal;
    final Rule sgChainAccept;
    final Rule rawJumpOutput;
    final Rule rawJumpPrerouting;
    /** Bucket names and the jumps to them, per dispatch chain (FWD, INP, SGC, PRE), built on first use. */
    private final String[][] bucketNames;
    private final Rule[][] bucketJumps;
    private final String wrap;

    FixedRules(RenderOptions opt) {
        boolean c = opt.commentRules();
        String wrap = opt.wrapName();
        allowAssoc = rule(c, Verdict.RETURN, NeutronComments.ALLOW_ASSOC, Role.STATE_ASSOC,
                new Match.State(List.of("RELATED", "ESTABLISHED"), false));
        invalidDrop = rule(c, Verdict.DROP, NeutronComments.INVALID_DROP, Role.INVALID_DROP,
                new Match.State(List.of("INVALID"), false));
        toFallback = rule(c, new Verdict.Jump(wrap + "-sg-fallback"), NeutronComments.UNMATCHED, Role.FALLBACK);
        fallbackDrop = rule(c, Verdict.DROP, NeutronComments.UNMATCH_DROP, Role.FALLBACK);
        pairDrop = rule(c, Verdict.DROP, NeutronComments.PAIR_DROP, Role.ANTI_SPOOF);

        Match icmp6 = new Match.Protocol("ipv6-icmp", false);
        List<Rule> in6 = new ArrayList<>();
        for (int t : new int[] {130, 135, 136}) {
            // Neutron writes these without a comment
            in6.add(Rule.of(Verdict.RETURN, Provenance.of(Role.ICMPV6_INGRESS), icmp6, new Match.Icmp(true, t, null)));
        }
        ingressIcmp6 = List.copyOf(in6);

        Match udp = new Match.Protocol("udp", false);
        egressUnspecified4 = List.of(rule(c, Verdict.RETURN, NeutronComments.DHCP_CLIENT, Role.EGRESS_ALLOW,
                new Match.Address(true, "0.0.0.0/32", false), new Match.Address(false, "255.255.255.255/32", false),
                udp, new Match.Ports("udp", "68", "67")));
        List<Rule> un6 = new ArrayList<>();
        for (int t : new int[] {131, 135, 143}) {
            un6.add(rule(c, Verdict.RETURN, NeutronComments.IPV6_ICMP_ALLOW, Role.EGRESS_ALLOW,
                    new Match.Address(true, "::/128", false), new Match.Address(false, "ff02::/16", false), icmp6,
                    new Match.Icmp(true, t, null)));
        }
        egressUnspecified6 = List.copyOf(un6);
        egressAfterSpoof4 = List.of(
                rule(c, Verdict.RETURN, NeutronComments.DHCP_CLIENT, Role.EGRESS_ALLOW, udp,
                        new Match.Ports("udp", "68", "67")),
                rule(c, Verdict.DROP, NeutronComments.DHCP_SPOOF, Role.EGRESS_DROP, udp,
                        new Match.Ports("udp", "67", "68")));
        egressAfterSpoof6 = List.of(
                rule(c, Verdict.DROP, NeutronComments.IPV6_RA_DROP, Role.EGRESS_DROP, icmp6,
                        new Match.Icmp(true, 134, null)),
                rule(c, Verdict.RETURN, NeutronComments.IPV6_ICMP_ALLOW, Role.EGRESS_ALLOW, icmp6),
                rule(c, Verdict.RETURN, NeutronComments.DHCP_CLIENT, Role.EGRESS_ALLOW, udp,
                        new Match.Ports("udp", "546", "547")),
                rule(c, Verdict.DROP, NeutronComments.DHCP_SPOOF, Role.EGRESS_DROP, udp,
                        new Match.Ports("udp", "547", "546")));
        Provenance skel = Provenance.of(Role.SKELETON);
        jumpFilterTop = Rule.of(new Verdict.Jump("neutron-filter-top"), skel);
        jumpForward = Rule.of(new Verdict.Jump(wrap + "-FORWARD"), skel);
        jumpInput = Rule.of(new Verdict.Jump(wrap + "-INPUT"), skel);
        jumpOutput = Rule.of(new Verdict.Jump(wrap + "-OUTPUT"), skel);
        jumpLocal = Rule.of(new Verdict.Jump(wrap + "-local"), skel);
        sgChainAccept = Rule.of(Verdict.ACCEPT, skel);
        rawJumpOutput = Rule.of(new Verdict.Jump(wrap + "-OUTPUT"), skel);
        rawJumpPrerouting = Rule.of(new Verdict.Jump(wrap + "-PREROUTING"), skel);
        this.wrap = wrap;
        bucketNames = new String[4][opt.dispatchBuckets()];
        bucketJumps = new Rule[4][opt.dispatchBuckets()];
    }

    /** Bucket {@code b} of dispatch chain {@code chain} (0 FORWARD, 1 INPUT, 2 sg-chain, 3 PREROUTING). */
    synchronized String bucketName(int chain, int b) {
        String n = bucketNames[chain][b];
        if (n == null) {
            n = DispatchBuckets.name(wrap, DispatchBuckets.SHORT.get(chain), b);
            bucketNames[chain][b] = n;
        }
        return n;
    }

    /** The shared chain's jump to a bucket (one object, so an unchanged shared chain compares by identity). */
    synchronized Rule bucketJump(int chain, int b) {
        Rule r = bucketJumps[chain][b];
        if (r == null) {
            r = Rule.of(new Verdict.Jump(bucketName(chain, b)), Provenance.of(Role.PORT_DISPATCH));
            bucketJumps[chain][b] = r;
        }
        return r;
    }

    private static Rule rule(boolean comments, Verdict v, String comment, Role role, Match... matches) {
        return HybridIptablesRenderer.commented(comments, v, comment, Provenance.of(role), matches);
    }
}
