package dev.tapguard.model.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SecurityGroupLinter#lintRule} (linear, what the server runs on every rule create) gives exactly the
 * findings of the whole-group {@link SecurityGroupLinter#lint} that name the rule, in the same order.
 */
class LintRuleAgreesWithLintPropertyTest {

    @Property(tries = 400)
    void lintRuleIsLintFilteredToTheRule(@ForAll("groups") SecurityGroup g) {
        List<LintFinding> all = SecurityGroupLinter.lint(g);
        for (SecurityGroupRule r : g.rules()) {
            List<LintFinding> expected = all.stream().filter(f -> r.id().equals(f.securityGroupRuleId())
                    || f.message().contains(r.id() + " ")).toList();
            assertThat(SecurityGroupLinter.lintRule(g, r.id())).as(r.id()).containsExactlyElementsOf(expected);
        }
        assertThat(SecurityGroupLinter.lintRule(g, "no-such-rule")).isEmpty();
    }

    @Property(tries = 400)
    void theRulesWhosePortsOverlapAreEnoughToLintARule(@ForAll("groups") SecurityGroup g) {
        for (SecurityGroupRule r : g.rules()) {
            int[] range = SecurityGroupLinter.portRange(r);
            List<SecurityGroupRule> near = g.rules().stream().filter(o -> o.direction() == r.direction()
                    && o.ethertype() == r.ethertype() && (range == null || o.portRangeMin() == null
                    || o.portRangeMin() <= range[1]
                    && (o.portRangeMax() == null ? o.portRangeMin() : o.portRangeMax()) >= range[0])).toList();
            assertThat(SecurityGroupLinter.lintRule(g.withRules(near), r.id())).as(r.id())
                    .containsExactlyElementsOf(SecurityGroupLinter.lintRule(g, r.id()));
        }
    }

    @Provide
    Arbitrary<SecurityGroup> groups() {
        // few distinct values, so that duplicates and shadowing are frequent
        Arbitrary<Direction> dir = Arbitraries.of(Direction.INGRESS, Direction.EGRESS);
        Arbitrary<String> proto = Arbitraries.of(null, "tcp", "6", "udp", "94", "ipip", "icmp");
        Arbitrary<Integer> port = Arbitraries.of(8, 20, 22, 25, 80);
        Arbitrary<Integer> width = Arbitraries.of(0, 0, 5, 100);
        Arbitrary<Remote> remote = Arbitraries.of("any", "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.3/24",
                "group").map(x -> switch (x) {
                    case "any" -> Remote.ANY;
                    case "group" -> new Remote.Group("g-remote");
                    default -> new Remote.IpPrefix(x, Cidr.parse(x).normalized());
                });
        Arbitrary<Object[]> rule = Combinators.combine(dir, proto, port, width, remote, Arbitraries.of(true, false))
                .as((d, p, lo, w, rem, ports) -> new Object[] {d, p, lo, w, rem, ports});
        return rule.list().ofMinSize(1).ofMaxSize(9).map(specs -> {
            List<SecurityGroupRule> rules = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                Object[] s = specs.get(i);
                String p = (String) s[1];
                boolean ports = (Boolean) s[5] && p != null && !p.equals("94") && !p.equals("ipip");
                Integer min = ports ? (Integer) s[2] : null;
                Integer max = ports ? (p.equals("icmp") ? Integer.valueOf(0) : (Integer) s[2] + (Integer) s[3]) : null;
                rules.add(new SecurityGroupRule("rule-" + i, "g1", "p1", (Direction) s[0], Ethertype.IPv4, p, min,
                        max, (Remote) s[4], null));
            }
            return new SecurityGroup("g1", "web", "", "p1", true, rules);
        });
    }
}
