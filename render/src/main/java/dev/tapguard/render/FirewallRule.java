package dev.tapguard.render;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.netfilter.Provenance;

/**
 * A rule as the agent hands it to Neutron's firewall driver: the server has turned {@code remote_ip_prefix} into a
 * source (ingress) or destination (egress) prefix and added the group's stateful flag; provider rules also carry a
 * source port. Two dicts that are equal apart from provenance are the same rule.
 */
record FirewallRule(Direction direction, Ethertype ethertype, String protocol, Integer portRangeMin,
                    Integer portRangeMax, Integer sourcePortRangeMin, Integer sourcePortRangeMax,
                    String sourceIpPrefix, String destIpPrefix, String remoteGroupId, boolean stateful,
                    Provenance provenance) {

    /** The dict without provenance, for Neutron's "identical rule dicts are merged". */
    Object key() {
        return java.util.Arrays.asList(direction, ethertype, protocol, portRangeMin, portRangeMax, sourcePortRangeMin,
                sourcePortRangeMax, sourceIpPrefix, destIpPrefix, remoteGroupId, stateful);
    }

    FirewallRule withProtocol(String p) {
        return new FirewallRule(direction, ethertype, p, portRangeMin, portRangeMax, sourcePortRangeMin,
                sourcePortRangeMax, sourceIpPrefix, destIpPrefix, remoteGroupId, stateful, provenance);
    }

    FirewallRule withRemotePrefix(String prefix) {
        return direction == Direction.INGRESS
                ? new FirewallRule(direction, ethertype, protocol, portRangeMin, portRangeMax, sourcePortRangeMin,
                        sourcePortRangeMax, prefix, destIpPrefix, null, stateful, provenance)
                : new FirewallRule(direction, ethertype, protocol, portRangeMin, portRangeMax, sourcePortRangeMin,
                        sourcePortRangeMax, sourceIpPrefix, prefix, null, stateful, provenance);
    }
}
