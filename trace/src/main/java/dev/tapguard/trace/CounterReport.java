package dev.tapguard.trace;

import dev.tapguard.netfilter.Provenance;
import java.util.List;

/**
 * The kernel's packet and byte counters for one port's rules, mapped back to the security groups and rules that
 * produced them: one line per kernel rule of the port (dispatch, its chains, its conntrack zone), totals per
 * security-group rule, the rules Tapguard expects that the kernel lacks, and the kernel's rules in the port's chains
 * that Tapguard did not write.
 */
public record CounterReport(String portId, List<Line> lines, List<RuleTotal> totals, List<String> missing,
                            List<String> unexpected) {

    public CounterReport {
        lines = List.copyOf(lines);
        totals = List.copyOf(totals);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    /** One kernel rule with its counters ({@code number} 1-based in its chain). */
    public record Line(String family, String table, String chain, int number, String ruleText, Provenance provenance,
                       long packets, long bytes) {
    }

    /** A security-group rule's counters summed over the kernel rules it produced. */
    public record RuleTotal(String securityGroupId, String securityGroupRuleId, String description, int kernelRules,
                            long packets, long bytes) {
    }
}
