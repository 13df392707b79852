package dev.tapguard.model.lint;

/** One finding: its code and severity, the group and rule it is about (rule id may be null), and a message. */
public record LintFinding(LintCode code, Severity severity, String securityGroupId, String securityGroupRuleId,
                          String message) {

    /** WARNING: probably not what was meant; INFO: worth knowing. */
    public enum Severity { WARNING, INFO }

    @Override
    public String toString() {
        return severity + " " + code + " (group " + securityGroupId
                + (securityGroupRuleId == null ? "" : ", rule " + securityGroupRuleId) + "): " + message;
    }
}
