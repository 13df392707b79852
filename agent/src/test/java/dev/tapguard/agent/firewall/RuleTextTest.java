package dev.tapguard.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuleTextTest {

    @Test
    void macCaseAndProtocolNamesDoNotMakeRulesDifferent() {
        String written = "-s 10.3.0.5/32 -m mac --mac-source FA:16:3E:00:03:01 -m comment --comment \"Allow x.\" -j RETURN";
        String saved = "-s 10.3.0.5/32 -m mac --mac-source fa:16:3e:00:03:01 -m comment --comment \"Allow x.\" -j RETURN";
        assertThat(RuleText.key(written)).isEqualTo(RuleText.key(saved));
        assertThat(RuleText.key("-p ipencap -j RETURN")).isEqualTo(RuleText.key("-p 4 -j RETURN"));
        assertThat(RuleText.key("-p 6 -m tcp --dport 22 -j RETURN")).isEqualTo("-p tcp -m tcp --dport 22 -j RETURN");
    }

    @Test
    void commentQuotingIsCanonical() {
        assertThat(RuleText.key("-m comment --comment x -j DROP"))
                .isEqualTo(RuleText.key("-m comment --comment \"x\" -j DROP"));
        assertThat(RuleText.key("-m comment --comment \"a b\" -j DROP")).isEqualTo("-m comment --comment \"a b\" -j DROP");
    }

    @Test
    void theFastPathAgreesWithTheFullKey() {
        for (String t : java.util.List.of(
                "-m physdev --physdev-out tapd00d0003-33 --physdev-is-bridged -m comment --comment \"Direct traffic from the VM interface to the security group chain.\" -j neutron-openvswi-sg-chain",
                "-d 10.3.0.5/32 -p udp -m udp --sport 67 --dport 68 -j RETURN",
                "-p ipencap -j RETURN", "-p ipv6-icmp -m icmp6 --icmpv6-type 130 -j RETURN", "-p 132 -j RETURN",
                "-p IPv6-ICMP -j RETURN", "-m comment --comment \"x\" -j DROP", "-m comment --comment x -j DROP",
                "-s 10.3.0.5/32 -m mac --mac-source FA:16:3E:00:03:01 -j RETURN",
                "-m set --match-set NIPv4abc src -j RETURN", "-m state --state RELATED,ESTABLISHED -j RETURN")) {
            assertThat(RuleText.key(t)).as(t).isEqualTo(RuleText.fullKey(t));
        }
    }

    @Test
    void differentRulesKeepDifferentKeys() {
        assertThat(RuleText.key("-p ipip -j RETURN")).isNotEqualTo(RuleText.key("-p ipencap -j RETURN"));
        assertThat(RuleText.key("-s 10.0.0.1/32 -j RETURN")).isNotEqualTo(RuleText.key("-s 10.0.0.2/32 -j RETURN"));
    }
}
