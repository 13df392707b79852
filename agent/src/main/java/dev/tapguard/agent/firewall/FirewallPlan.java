package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Family;
import java.util.Map;
import java.util.Set;

/**
 * What one cycle writes: per family one {@code iptables-restore -n} payload (absent = nothing to change), the
 * {@code ipset restore} payloads before (create/add/del) and after (destroy) the iptables apply, the state the kernel
 * is in once all of it succeeded, and what changed (for conntrack and metrics).
 *
 * @param changedChains own chains (any family) that were created, rewritten, edited or removed
 * @param shrunkSets    ipsets that lost members or went away (flows from those members may have to be cut)
 */
public record FirewallPlan(Map<Family, String> restore, String ipsetUpdate, String ipsetDestroy, FirewallState next,
                           Set<String> changedChains, Set<String> shrunkSets, Stats stats) {

    /** Counts for logs, metrics and the bench: chains declared, rules written, single-rule edits, hook edits. */
    public record Stats(int chainsWritten, int rulesWritten, int ruleEdits, int hookEdits, int chainsRemoved,
                        int ipsetLines) {
    }

    public boolean empty() {
        return restore.isEmpty() && ipsetUpdate == null && ipsetDestroy == null;
    }
}
