package dev.tapguard.render;

import static dev.tapguard.testkit.Hosts.group;
import static dev.tapguard.testkit.Hosts.port;
import static dev.tapguard.testkit.Hosts.rule;
import static dev.tapguard.testkit.Hosts.view;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Rule;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One security-group rule in, the exact iptables text of the port chain's group section out. */
class RuleTranslationTest {
    static final String PORT = "aaaa0001-0000-4000-8000-000000000001";
    static final String SG = "5e000001-0000-4000-8000-000000000001";
    static final String REMOTE = "5e0000ff-0000-4000-8000-0000000000ff";

    private static SecurityGroupRule r(Direction d, Ethertype e, String proto, Integer min, Integer max,
                                       Remote remote) {
        return rule("r1", d, e, proto, min, max, remote);
    }

    private static SecurityGroupRule in4(String proto, Integer min, Integer max) {
        return r(Direction.INGRESS, Ethertype.IPv4, proto, min, max, Remote.ANY);
    }

    static Stream<Arguments> rules() {
        Remote.IpPrefix tenEight = new Remote.IpPrefix("10.0.0.0/8", "10.0.0.0/8");
        return Stream.of(
                Arguments.of(in4("tcp", 22, 22), "-p tcp -m tcp --dport 22 -j RETURN"),
                Arguments.of(in4("tcp", 1000, 2000), "-p tcp -m tcp -m multiport --dports 1000:2000 -j RETURN"),
                Arguments.of(in4("6", 22, 22), "-p tcp -m tcp --dport 22 -j RETURN"),
                Arguments.of(in4("udp", 53, 53), "-p udp -m udp --dport 53 -j RETURN"),
                Arguments.of(in4("udplite", 5000, 5000), "-p udplite -m multiport --dports 5000 -j RETURN"),
                Arguments.of(in4("udplite", 5000, 5001), "-p udplite -m multiport --dports 5000:5001 -j RETURN"),
                Arguments.of(in4("sctp", 3868, 3868), "-p sctp -m sctp --dport 3868 -j RETURN"),
                Arguments.of(in4("dccp", 6000, 6000), "-p dccp -m dccp --dport 6000 -j RETURN"),
                Arguments.of(in4("icmp", null, null), "-p icmp -j RETURN"),
                Arguments.of(in4("icmp", 8, null), "-p icmp -m icmp --icmp-type 8 -j RETURN"),
                Arguments.of(in4("icmp", 8, 0), "-p icmp -m icmp --icmp-type 8/0 -j RETURN"),
                Arguments.of(in4("1", 3, 4), "-p icmp -m icmp --icmp-type 3/4 -j RETURN"),
                Arguments.of(r(Direction.INGRESS, Ethertype.IPv6, "ipv6-icmp", 128, null, Remote.ANY),
                        "-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j RETURN"),
                Arguments.of(in4("4", null, null), "-p ipencap -j RETURN"),
                Arguments.of(in4("ipip", null, null), "-p ipencap -j RETURN"),
                Arguments.of(in4("94", null, null), "-p ipip -j RETURN"),
                Arguments.of(in4("gre", null, null), "-p gre -j RETURN"),
                Arguments.of(in4("47", null, null), "-p gre -j RETURN"),
                Arguments.of(in4("112", null, null), "-p vrrp -j RETURN"),
                Arguments.of(in4("pgm", null, null), "-p 113 -j RETURN"),
                Arguments.of(in4("200", null, null), "-p 200 -j RETURN"),
                Arguments.of(in4("0", null, null), "-j RETURN"),
                Arguments.of(in4(null, null, null), "-j RETURN"),
                Arguments.of(r(Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22, tenEight),
                        "-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j RETURN"),
                Arguments.of(r(Direction.EGRESS, Ethertype.IPv4, "tcp", 22, 22, tenEight),
                        "-d 10.0.0.0/8 -p tcp -m tcp --dport 22 -j RETURN"),
                Arguments.of(r(Direction.INGRESS, Ethertype.IPv4, null, null, null,
                        new Remote.IpPrefix("10.0.0.5/24", "10.0.0.0/24")), "-s 10.0.0.0/24 -j RETURN"),
                Arguments.of(r(Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22,
                        new Remote.IpPrefix("0.0.0.0/0", "0.0.0.0/0")), "-p tcp -m tcp --dport 22 -j RETURN"),
                Arguments.of(r(Direction.INGRESS, Ethertype.IPv4, "tcp", 80, 80, new Remote.Group(REMOTE)),
                        "-p tcp -m tcp --dport 80 -m set --match-set NIPv45e0000ff-0000-4000-8000- src -j RETURN"),
                Arguments.of(r(Direction.EGRESS, Ethertype.IPv4, "tcp", 80, 80, new Remote.Group(REMOTE)),
                        "-p tcp -m tcp --dport 80 -m set --match-set NIPv45e0000ff-0000-4000-8000- dst -j RETURN"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rules")
    void translatesOneRule(SecurityGroupRule rule, String expected) {
        assertThat(groupSection(rule, true)).containsExactly(expected);
    }

    @ParameterizedTest(name = "no ipset")
    @MethodSource("noIpset")
    void expandsARemoteGroupPerMemberWithoutIpsetSkippingTheOwnAddress(SecurityGroupRule rule, List<String> lines) {
        assertThat(groupSection(rule, false)).containsExactlyElementsOf(lines);
    }

    static Stream<Arguments> noIpset() {
        return Stream.of(Arguments.of(
                r(Direction.INGRESS, Ethertype.IPv4, "tcp", 80, 80, new Remote.Group(REMOTE)),
                List.of("-s 10.0.0.7/32 -p tcp -m tcp --dport 80 -j RETURN",
                        "-s 10.0.9.0/24 -p tcp -m tcp --dport 80 -j RETURN")));
    }

    /** The lines between RELATED,ESTABLISHED (+ provider rules) and the INVALID drop of the port's chain. */
    static List<String> groupSection(SecurityGroupRule rule, boolean ipset) {
        var view = view(
                List.of(port(PORT, "fa:16:3e:00:00:01", List.of(SG, REMOTE), "10.0.0.5", "2001:db8::5")),
                List.of(group(SG, true, rule), group(REMOTE, true)),
                Map.of(REMOTE, List.of("10.0.0.7", "10.0.9.1/24")));
        // the port is in REMOTE too, so its own address is a member: skipped without ipset
        RenderResult res = HybridIptablesRenderer.render(view, RenderOptions.DEFAULTS.withIpset(ipset));
        Family f = Family.of(rule.ethertype());
        char letter = rule.direction() == Direction.INGRESS ? 'i' : 'o';
        String chain = RenderOptions.DEFAULT_WRAP + "-" + letter + PORT.substring(0, 10);
        List<Rule> rules = res.ruleset().table(f, "filter").chain(chain).rules();
        return rules.stream()
                .filter(x -> x.provenance().role() == dev.tapguard.netfilter.Provenance.Role.SECURITY_GROUP_RULE)
                .map(Rule::text).toList();
    }
}
