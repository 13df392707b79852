package dev.tapguard.wire;

import dev.tapguard.model.HostView;
import java.util.List;

/**
 * One host document (the oracle's schema, {@code shared/oracle/SCHEMA.md}) read into the model: the host view, the
 * agent settings it asks for, the kernel's current iptables-save text (null = a fresh host), and the rules the API
 * would have rejected.
 */
public record HostInput(String name, HostView view, boolean enableIpset, boolean commentRules, boolean ipv6Enabled,
                        boolean apiNormalize, String ipv4Save, String ipv6Save, List<RejectedRule> rejected) {

    public HostInput {
        rejected = List.copyOf(rejected);
    }
}
