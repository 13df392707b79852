package dev.tapguard.model.lint;

/** What a lint finding is about; the name is stable (logs, JSON, the web console key on it). */
public enum LintCode {
    /** Protocol 94 is BEET on Linux (IPPROTO_BEETPH); IP-in-IP is 4. */
    PROTOCOL_94_IS_BEET,
    /** Protocol "ipip": IP-in-IP (4) in the API and in Tapguard, but 94 in Neutron's iptables rules. */
    IPIP_NAME,
    /** Two rules of a group allow exactly the same traffic. */
    DUPLICATE_RULE,
    /** A rule allows nothing that another rule of the group does not already allow. */
    SHADOWED_RULE,
    /** A sensitive service port is open to every address. */
    SENSITIVE_PORT_OPEN,
    /** Every protocol and port is open to every address. */
    ALL_TRAFFIC_OPEN,
    /** The group has no egress rule at all. */
    EGRESS_REMOVED,
    /** The group has egress rules for one ethertype only. */
    EGRESS_FAMILY_REMOVED,
    /** The remote prefix has host bits set; the rule means the whole network. */
    REMOTE_PREFIX_HOST_BITS,
    /** A stateless group: replies are not allowed by themselves. */
    STATELESS_REPLIES,
    /** The rule's remote group is not among the groups linted. */
    REMOTE_GROUP_UNKNOWN
}
