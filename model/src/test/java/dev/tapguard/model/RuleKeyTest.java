package dev.tapguard.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Neutron's duplicate-rule key: a protocol name and its number are the same rule; 94 is not ipip. */
class RuleKeyTest {

    private static RuleKey key(Object protocol, String ethertype, String prefix) {
        return RuleKey.of(SecurityGroupRuleValidator.canonicalize(
                RuleRequest.of("sg1", "ingress", ethertype, protocol, null, null, prefix, null)));
    }

    @Test
    void aNameAndItsNumberAreTheSameRule() {
        assertThat(key("ipip", "IPv4", null)).isEqualTo(key("4", "IPv4", null));
        assertThat(key("gre", "IPv4", null)).isEqualTo(key(47L, "IPv4", null));
        assertThat(key("icmp", "IPv6", null)).isEqualTo(key("58", "IPv6", null));
    }

    @Test
    void protocol94IsNotIpip() {
        assertThat(key("94", "IPv4", null)).isNotEqualTo(key("ipip", "IPv4", null));
    }

    @Test
    void anyAddressCountsAsNoPrefix() {
        assertThat(key("tcp", "IPv4", "0.0.0.0/0")).isEqualTo(key("tcp", "IPv4", null));
        assertThat(key("tcp", "IPv4", "10.0.0.5/24")).isNotEqualTo(key("tcp", "IPv4", "10.0.0.0/24"));
    }

    @Test
    void printsTheKeyAsNeutronDoes() {
        assertThat(key("ipip", "IPv6", null).text())
                .isEqualTo("ingress_IPv6_+_+_['ipip', '4']_+_+_+_sg1");
    }
}
