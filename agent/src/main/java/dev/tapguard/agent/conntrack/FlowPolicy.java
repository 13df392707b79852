package dev.tapguard.agent.conntrack;

import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Protocols;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: would the port's security groups (as the view has them now) still open the conntrack entry in the port's
 * zone? The entry's original direction says who started the flow: from one of the port's addresses it is egress,
 * to one of them ingress. Entries that are neither (broadcast, someone else's address) are left alone, and so is
 * the traffic every port may always send or receive (DHCP, ICMPv6 neighbour discovery).
 */
public final class FlowPolicy {
    private FlowPolicy() {
    }

    /** The decision for one entry. */
    public enum Verdict { ALLOWED, NOT_ALLOWED, NOT_THIS_PORT }

    public static Verdict judge(HostView view, Port port, ConntrackEntry e) {
        Ethertype eth = e.src().contains(":") ? Ethertype.IPv6 : Ethertype.IPv4;
        List<String> own = new ArrayList<>(port.fixedIpAddresses());
        port.allowedAddressPairs().forEach(a -> own.add(a.ipAddress()));
        Direction dir;
        String remote;
        if (contains(own, e.src())) {
            dir = Direction.EGRESS;
            remote = e.dst();
        } else if (contains(own, e.dst())) {
            dir = Direction.INGRESS;
            remote = e.src();
        } else {
            return Verdict.NOT_THIS_PORT;
        }
        if (alwaysAllowed(dir, eth, e)) {
            return Verdict.ALLOWED;
        }
        for (String gid : port.securityGroups()) {
            SecurityGroup g = view.group(gid);
            if (g == null) {
                continue;
            }
            for (SecurityGroupRule r : g.rules()) {
                if (r.direction() == dir && r.ethertype() == eth && matches(view, r, e, remote)) {
                    return Verdict.ALLOWED;
                }
            }
        }
        return Verdict.NOT_ALLOWED;
    }

    private static boolean alwaysAllowed(Direction dir, Ethertype eth, ConntrackEntry e) {
        if (e.protocol() == 17 && e.sport() != null && e.dport() != null) {
            boolean dhcp = eth == Ethertype.IPv4 ? e.sport() == 68 && e.dport() == 67 || e.sport() == 67
                    && e.dport() == 68 : e.sport() == 546 && e.dport() == 547 || e.sport() == 547 && e.dport() == 546;
            if (dhcp) {
                return true;
            }
        }
        if (eth == Ethertype.IPv6 && e.protocol() == 58) {
            return dir == Direction.EGRESS ? !Integer.valueOf(134).equals(e.icmpType())
                    : e.icmpType() != null && List.of(130, 134, 135, 136).contains(e.icmpType());
        }
        return false;
    }

    static boolean matches(HostView view, SecurityGroupRule r, ConntrackEntry e, String remote) {
        if (!Protocols.isAny(r.protocol())) {
            int want = Protocols.number(r.protocol()).orElse(-1);
            if (want == 1 && r.ethertype() == Ethertype.IPv6) {
                want = 58;
            }
            if (want != e.protocol()) {
                return false;
            }
            if (want == 1 || want == 58) {
                if (r.portRangeMin() != null && !r.portRangeMin().equals(e.icmpType())) {
                    return false;
                }
                if (r.portRangeMax() != null && !r.portRangeMax().equals(e.icmpCode())) {
                    return false;
                }
            } else if (r.portRangeMin() != null) {
                int max = r.portRangeMax() == null ? r.portRangeMin() : r.portRangeMax();
                if (e.dport() == null || e.dport() < r.portRangeMin() || e.dport() > max) {
                    return false;
                }
            }
        }
        Remote rem = r.remote();
        if (rem instanceof Remote.IpPrefix p) {
            String cidr = p.normalizedCidr() != null ? p.normalizedCidr() : p.remoteIpPrefix();
            return Cidr.parse(cidr).contains(remote);
        }
        String group = rem instanceof Remote.Group g ? g.remoteGroupId()
                : rem instanceof Remote.AddressGroup a ? a.remoteAddressGroupId() : null;
        if (group != null) {
            return contains(view.membersOf(group), remote);
        }
        return true;
    }

    private static boolean contains(List<String> cidrs, String ip) {
        for (String c : cidrs) {
            try {
                Cidr parsed = Cidr.parse(c);
                if (parsed.ethertype() == (ip.contains(":") ? Ethertype.IPv6 : Ethertype.IPv4)
                        && parsed.contains(ip)) {
                    return true;
                }
            } catch (IllegalArgumentException ex) {
                // a member the server sent that is not an address cannot contain anything
            }
        }
        return false;
    }
}
