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
        assertThat(RuleText.key("-p tcp -m tcp --dport 22 -j RETURN")).isEqualTo("-p 6 -m tcp --dport 22 -j RETURN");
    }

    @Test
    void commentQuotingIsCanonical() {
        assertThat(RuleText.key("-m comment --comment x -j DROP"))
                .isEqualTo(RuleText.key("-m comment --comment \"x\" -j DROP"));
        assertThat(RuleText.key("-m comment --comment \"a b\" -j DROP")).isEqualTo("-m comment --comment \"a b\" -j DROP");
    }

    @Test
    void differentRulesKeepDifferentKeys() {
        assertThat(RuleText.key("-p ipip -j RETURN")).isNotEqualTo(RuleText.key("-p ipencap -j RETURN"));
        assertThat(RuleText.key("-s 10.0.0.1/32 -j RETURN")).isNotEqualTo(RuleText.key("-s 10.0.0.2/32 -j RETURN"));
    }
}
