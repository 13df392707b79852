package dev.tapguard.model.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecurityGroupLinterTest {

    private int n;

    SecurityGroupRule rule(Direction d, Ethertype e, String proto, Integer min, Integer max, Remote remote) {
        return new SecurityGroupRule("r" + (++n), "g1", "p1", d, e, proto, min, max, remote, null);
    }

    SecurityGroupRule in(String proto, Integer min, Integer max, Remote remote) {
        return rule(Direction.INGRESS, Ethertype.IPv4, proto, min, max, remote);
    }

    static Remote prefix(String p) {
        return new Remote.IpPrefix(p, dev.tapguard.model.Cidr.parse(p).normalized());
    }

    SecurityGroup group(SecurityGroupRule... rules) {
        List<SecurityGroupRule> all = new ArrayList<>(List.of(rules));
        all.add(rule(Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY));
        all.add(rule(Direction.EGRESS, Ethertype.IPv6, null, null, null, Remote.ANY));
        return new SecurityGroup("g1", "web", "", "p1", true, all);
    }

    static List<LintCode> codes(List<LintFinding> f) {
        return f.stream().map(LintFinding::code).toList();
    }

    @Test
    void protocol94IsFlaggedAsBeetWithTheFix() {
        List<LintFinding> f = SecurityGroupLinter.lint(group(in("94", null, null, Remote.ANY)));
        assertThat(f).filteredOn(x -> x.code() == LintCode.PROTOCOL_94_IS_BEET).singleElement().satisfies(x -> {
            assertThat(x.severity()).isEqualTo(LintFinding.Severity.WARNING);
            assertThat(x.securityGroupRuleId()).isEqualTo("r1");
            assertThat(x.message()).contains("Linux uses 94 for BEET").contains("IP-in-IP is 4");
        });
        assertThat(codes(SecurityGroupLinter.lint(group(in("4", null, null, Remote.ANY)))))
                .doesNotContain(LintCode.PROTOCOL_94_IS_BEET, LintCode.IPIP_NAME);
        assertThat(codes(SecurityGroupLinter.lint(group(in("ipip", null, null, Remote.ANY)))))
                .contains(LintCode.IPIP_NAME);
    }

    @Test
    void sensitivePortsOpenToTheWorldAreWarnedButNotWhenRestricted() {
        assertThat(SecurityGroupLinter.lint(group(in("tcp", 22, 22, Remote.ANY))))
                .filteredOn(x -> x.code() == LintCode.SENSITIVE_PORT_OPEN).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("22 (SSH)").contains("0.0.0.0/0"));
        assertThat(SecurityGroupLinter.lint(group(in("tcp", 3000, 3400, prefix("0.0.0.0/0")))))
                .filteredOn(x -> x.code() == LintCode.SENSITIVE_PORT_OPEN).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("3306 (MySQL), 3389 (RDP)"));
        assertThat(codes(SecurityGroupLinter.lint(group(in("tcp", 22, 22, prefix("10.0.0.0/8"))))))
                .doesNotContain(LintCode.SENSITIVE_PORT_OPEN);
        assertThat(codes(SecurityGroupLinter.lint(group(in("tcp", 80, 80, Remote.ANY)))))
                .doesNotContain(LintCode.SENSITIVE_PORT_OPEN);
        assertThat(codes(SecurityGroupLinter.lint(group(in(null, null, null, Remote.ANY)))))
                .contains(LintCode.ALL_TRAFFIC_OPEN);
    }

    @Test
    void duplicateAndShadowedRulesAreFoundAcrossSpellings() {
        List<LintFinding> f = SecurityGroupLinter.lint(group(
                in("tcp", 22, 22, prefix("10.0.0.0/8")),
                in("6", 22, 22, prefix("10.0.0.0/8")),
                in("tcp", 22, 22, prefix("10.1.0.0/16")),
                in("tcp", 20, 30, prefix("10.0.0.0/8")),
                in("udp", 22, 22, prefix("10.0.0.0/8"))));
        assertThat(f).filteredOn(x -> x.code() == LintCode.DUPLICATE_RULE).extracting(LintFinding::securityGroupRuleId)
                .containsExactly("r2");
        assertThat(f).filteredOn(x -> x.code() == LintCode.SHADOWED_RULE).extracting(LintFinding::securityGroupRuleId)
                .containsExactlyInAnyOrder("r1", "r3");
        SecurityGroupRule narrow = in("tcp", 8080, 8080, Remote.ANY);
        assertThat(SecurityGroupLinter.lintRule(group(narrow, in("tcp", 8000, 8100, Remote.ANY)), narrow.id()))
                .extracting(LintFinding::code).containsExactly(LintCode.SHADOWED_RULE);
    }

    @Test
    void egressRemovedEntirelyOrForOneFamily() {
        SecurityGroup noEgress = new SecurityGroup("g2", "locked", "", "p1", true,
                List.of(in("tcp", 80, 80, Remote.ANY)));
        assertThat(codes(SecurityGroupLinter.lint(noEgress))).contains(LintCode.EGRESS_REMOVED);
        SecurityGroup v4Only = new SecurityGroup("g3", "v4", "", "p1", true,
                List.of(rule(Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY)));
        assertThat(codes(SecurityGroupLinter.lint(v4Only))).containsExactly(LintCode.EGRESS_FAMILY_REMOVED);
        assertThat(SecurityGroupLinter.lint(group(in("tcp", 80, 80, Remote.ANY)))).isEmpty();
    }

    @Test
    void projectLintNamesRemoteGroupsThatAreNotThere() {
        SecurityGroup g = group(in("tcp", 80, 80, new Remote.Group("gone")));
        assertThat(codes(SecurityGroupLinter.lintProject(List.of(g)))).containsExactly(LintCode.REMOTE_GROUP_UNKNOWN);
        assertThat(codes(SecurityGroupLinter.lint(group(in("tcp", 80, 80, prefix("10.0.0.5/24"))))))
                .containsExactly(LintCode.REMOTE_PREFIX_HOST_BITS);
    }
}
