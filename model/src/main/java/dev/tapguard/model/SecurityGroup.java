package dev.tapguard.model;

import java.util.List;
import java.util.Objects;

/** A security group and its rules, in stored order. {@code stateful=false} means conntrack is bypassed. */
public record SecurityGroup(String id, String name, String description, String projectId, boolean stateful,
                            List<SecurityGroupRule> rules) {

    public SecurityGroup {
        Objects.requireNonNull(id, "id");
        rules = List.copyOf(rules == null ? List.of() : rules);
    }

    public SecurityGroup withRules(List<SecurityGroupRule> newRules) {
        return new SecurityGroup(id, name, description, projectId, stateful, newRules);
    }
}
