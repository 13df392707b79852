package dev.tapguard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Neutron's rule canonicalisation and validation, case by case (messages as api_samples.md shows them). */
class SecurityGroupRuleValidatorTest {

    private static RuleRequest rule(String direction, String ethertype, Object protocol, Object min, Object max,
                                    String prefix, String remoteGroup) {
        return RuleRequest.of("sg", direction, ethertype, protocol, min, max, prefix, remoteGroup);
    }

    @Test
    void keepsTheProtocolAsTheStringGiven() {
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", "4", null, null, null, null))
                .protocol()).isEqualTo("4");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", 94L, null, null, null, null))
                .protocol()).isEqualTo("94");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", "IPIP", null, null, null, null))
                .protocol()).isEqualTo("ipip");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", "any", null, null, null, null))
                .protocol()).isNull();
    }

    @Test
    void turnsIcmpOnIpv6IntoIpv6Icmp() {
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv6", "icmp", null, null, null, null))
                .protocol()).isEqualTo("ipv6-icmp");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv6", "icmpv6", null, null, null, null))
                .protocol()).isEqualTo("ipv6-icmp");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "ipv6", "1", null, null, null, null))
                .protocol()).isEqualTo("58");
    }

    @Test
    void storesTheWholeTcpRangeAsNoRange() {
        SecurityGroupRule r = SecurityGroupRuleValidator.canonicalize(rule("ingress", null, "tcp", 1, 65535, null,
                null));
        assertThat(r.portRangeMin()).isNull();
        assertThat(r.portRangeMax()).isNull();
    }

    @Test
    void keepsHostBitsInThePrefixAndClearsThemInTheNormalizedCidr() {
        SecurityGroupRule r = SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", null, null, null,
                "192.168.1.10/24", null));
        assertThat(r.remoteIpPrefix()).isEqualTo("192.168.1.10/24");
        assertThat(r.normalizedCidr()).isEqualTo("192.168.1.0/24");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", null, null, null, "8.8.8.8",
                null)).remoteIpPrefix()).isEqualTo("8.8.8.8/32");
        assertThat(SecurityGroupRuleValidator.canonicalize(rule("egress", "IPv6", null, null, null,
                "2001:DB8::1/64", null)).normalizedCidr()).isEqualTo("2001:db8::/64");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of(rule("ingress", "IPv4", "ipencap", null, null, null, null),
                        NeutronErrorType.SecurityGroupRuleInvalidProtocol,
                        "Security group rule protocol ipencap not supported."),
                Arguments.of(rule("ingress", "IPv4", 256L, null, null, null, null),
                        NeutronErrorType.SecurityGroupRuleInvalidProtocol, "protocol 256 not supported"),
                Arguments.of(rule("ingress", "IPv4", "-1", null, null, null, null),
                        NeutronErrorType.SecurityGroupRuleInvalidProtocol, "protocol -1 not supported"),
                Arguments.of(rule("ingress", "IPv4", "tcp", 0, 0, null, null),
                        NeutronErrorType.SecurityGroupInvalidPortValue, "Invalid value for port 0"),
                Arguments.of(rule("ingress", "IPv4", "tcp", 65536, 65536, null, null),
                        NeutronErrorType.SecurityGroupInvalidPortValue, "Invalid value for port 65536"),
                Arguments.of(rule("ingress", "IPv4", "tcp", 30, 20, null, null),
                        NeutronErrorType.SecurityGroupInvalidPortRange,
                        "For TCP/UDP protocols, port_range_min must be <= port_range_max"),
                Arguments.of(rule("ingress", "IPv4", "udp", 30, null, null, null),
                        NeutronErrorType.SecurityGroupInvalidPortRange, "port_range_min must be <= port_range_max"),
                Arguments.of(rule("ingress", "IPv4", null, 22, 22, null, null),
                        NeutronErrorType.SecurityGroupProtocolRequiredWithPorts,
                        "Must also specify protocol if port range is given."),
                Arguments.of(rule("ingress", "IPv4", "4", 1, 2, null, null),
                        NeutronErrorType.SecurityGroupInvalidProtocolForPort,
                        "Ports cannot be specified for protocol 4. Ports are only supported for DCCP, SCTP, TCP, UDP, "
                                + "UDPLITE."),
                Arguments.of(rule("ingress", "IPv4", "icmp", 256, null, null, null),
                        NeutronErrorType.SecurityGroupInvalidIcmpValue,
                        "Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255."),
                Arguments.of(rule("ingress", "IPv4", "icmp", 8, 256, null, null),
                        NeutronErrorType.SecurityGroupInvalidIcmpValue,
                        "Invalid value for ICMP code (port_range_max) 256. It must be 0 to 255."),
                Arguments.of(rule("ingress", "IPv4", "icmp", null, 0, null, null),
                        NeutronErrorType.SecurityGroupMissingIcmpType,
                        "ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing."),
                Arguments.of(rule("ingress", "IPv4", "ipv6-icmp", null, null, null, null),
                        NeutronErrorType.SecurityGroupEthertypeConflictWithProtocol,
                        "Invalid ethertype IPv4 for protocol ipv6-icmp."),
                Arguments.of(rule("ingress", "IPv4", "58", null, null, null, null),
                        NeutronErrorType.SecurityGroupEthertypeConflictWithProtocol,
                        "Invalid ethertype IPv4 for protocol 58."),
                Arguments.of(rule("ingress", "IPv6", null, null, null, "10.0.0.0/8", null),
                        NeutronErrorType.SecurityGroupRuleParameterConflict,
                        "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8"),
                Arguments.of(rule("ingress", "IPv4", null, null, null, "10.0.0.0/33", null),
                        NeutronErrorType.InvalidCIDR, "Invalid CIDR 10.0.0.0/33 given as IP prefix."),
                Arguments.of(rule("ingress", "IPv4", null, null, null, "10.0.0.0/8", "sg2"),
                        NeutronErrorType.SecurityGroupMultipleRemoteEntites,
                        "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be "
                                + "provided."),
                Arguments.of(rule("ingress", "IPv5", null, null, null, null, null),
                        NeutronErrorType.SecurityGroupRuleInvalidEtherType,
                        "Security group rule for ethertype 'IPv5' not supported. Allowed values are "
                                + "['IPv4', 'IPv6']."),
                Arguments.of(rule("sideways", "IPv4", null, null, null, null, null),
                        NeutronErrorType.HTTPBadRequest,
                        "Invalid input for direction. Reason: sideways is not in valid_values."));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("rejected")
    void rejectsWithNeutronsErrorTypeAndMessage(RuleRequest r, NeutronErrorType type, String message) {
        assertThatThrownBy(() -> SecurityGroupRuleValidator.canonicalize(r))
                .isInstanceOfSatisfying(NeutronException.class, e -> {
                    assertThat(e.type()).isEqualTo(type);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void acceptsIcmpTypeAndCodeZero() {
        SecurityGroupRule r = SecurityGroupRuleValidator.canonicalize(rule("ingress", "IPv4", "icmp", 8, 0, null,
                null));
        assertThat(r.portRangeMin()).isEqualTo(8);
        assertThat(r.portRangeMax()).isZero();
    }
}
