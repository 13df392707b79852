package dev.tapguard.server.store;

import dev.tapguard.model.SecurityGroupRule;

/** A stored rule: the model's rule plus its standard attributes. */
public record RuleRow(SecurityGroupRule rule, long attrId, long revisionNumber, long createdAt, long updatedAt) {

    public String id() {
        return rule.id();
    }

    public String groupId() {
        return rule.securityGroupId();
    }
}
