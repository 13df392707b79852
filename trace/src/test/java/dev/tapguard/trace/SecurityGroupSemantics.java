package dev.tapguard.trace;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Protocols;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.ConntrackFacts;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * What a port's security groups allow, read straight from the model, without iptables: the whitelist of the port's
 * groups plus Neutron's defaults (NEUTRON_IPTABLES.md sections 3 and 5, with Tapguard's section 11 decisions and the
 * kernel facts of section 12). The property test holds the evaluator on the rendered ruleset to this.
 */
final class SecurityGroupSemantics {
    private SecurityGroupSemantics() {
    }

    static boolean allowed(HostView v, Port port, Direction dir, Packet p, boolean ipset) {
        if (!port.portSecurity() || port.trusted()) {
            return true;
        }
        Ethertype fam = p.ethertype();
        boolean v6 = fam == Ethertype.IPv6;
        List<SecurityGroup> groups = new ArrayList<>();
        for (String g : port.securityGroups()) {
            if (v.group(g) != null) {
                groups.add(v.group(g));
            }
        }
        SecurityGroup first = port.securityGroups().isEmpty() ? null : v.group(port.securityGroups().get(0));
        boolean stateless = !port.alwaysStateful() && first != null && !first.stateful();
        CtState st = stateless ? CtState.UNTRACKED : ConntrackFacts.effective(p).state();
        boolean known = st == CtState.ESTABLISHED || st == CtState.RELATED;
        int proto = p.protocol();
        if (dir == Direction.INGRESS) {
            if (v6 && proto == 58 && (p.icmpType() == 130 || p.icmpType() == 135 || p.icmpType() == 136)) {
                return true;
            }
            if (known) {
                return true;
            }
            List<String> own = own(port, fam);
            if (!v6 && proto == 17 && p.sport() == 67 && p.dport() == 68
                    && (own.contains(addr(p.dst())) || addr(p.dst()).equals("255.255.255.255"))) {
                return true;
            }
            if (v6 && !own.isEmpty() && proto == 58 && p.icmpType() == 134) {
                return true;
            }
            if (v6 && proto == 17 && p.sport() == 547 && p.dport() == 546
                    && (own.contains(addr(p.dst())) || Cidr.parse("fe80::/64").contains(p.dst()))) {
                return true;
            }
            return anyRule(v, port, groups, Direction.INGRESS, p, p.src(), ipset);
        }
        if (!v6 && addr(p.src()).equals("0.0.0.0") && addr(p.dst()).equals("255.255.255.255") && proto == 17
                && p.sport() == 68 && p.dport() == 67) {
            return true;
        }
        if (v6 && addr(p.src()).equals("::") && Cidr.parse("ff02::/16").contains(p.dst()) && proto == 58
                && (p.icmpType() == 131 || p.icmpType() == 135 || p.icmpType() == 143)) {
            return true;
        }
        List<String[]> pairs = spoofPairs(port, fam);
        if (!pairs.isEmpty()) {
            boolean ok = false;
            for (String[] pair : pairs) {
                boolean macOk = pair[0].equalsIgnoreCase(p.srcMac());
                boolean ipOk = pair[1] == null || Cidr.parse(pair[1]).contains(p.src());
                ok |= macOk && ipOk;
            }
            if (!ok) {
                return false;
            }
        }
        if (!v6 && proto == 17 && p.sport() == 68 && p.dport() == 67) {
            return true;
        }
        if (!v6 && proto == 17 && p.sport() == 67 && p.dport() == 68) {
            return false;
        }
        if (v6 && proto == 58) {
            return p.icmpType() != 134;
        }
        if (v6 && proto == 17 && p.sport() == 546 && p.dport() == 547) {
            return true;
        }
        if (v6 && proto == 17 && p.sport() == 547 && p.dport() == 546) {
            return false;
        }
        if (known) {
            return true;
        }
        return anyRule(v, port, groups, Direction.EGRESS, p, p.dst(), ipset);
    }

    private static String addr(String a) {
        return Cidr.parse(a).address();
    }

    private static List<String> own(Port port, Ethertype fam) {
        List<String> out = new ArrayList<>();
        for (String ip : port.fixedIpAddresses()) {
            Cidr c = Cidr.parse(ip);
            if (c.ethertype() == fam) {
                out.add(c.address());
            }
        }
        return out;
    }

    private static boolean anyRule(HostView v, Port port, List<SecurityGroup> groups, Direction d, Packet p,
                                   String peer, boolean ipset) {
        for (SecurityGroup g : groups) {
            for (SecurityGroupRule r : g.rules()) {
                if (r.direction() == d && r.ethertype() == p.ethertype() && matches(v, port, r, p, peer, ipset)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(HostView v, Port port, SecurityGroupRule r, Packet p, String peer, boolean ipset) {
        if (!Protocols.isAny(r.protocol())) {
            OptionalInt n = Protocols.number(r.protocol());
            int want = n.getAsInt();
            if (r.ethertype() == Ethertype.IPv6 && want == 1) {
                want = 58;
            }
            if (p.protocol() != want) {
                return false;
            }
            boolean ports = want == 6 || want == 17 || want == 132 || want == 33 || want == 136;
            if (ports && r.portRangeMin() != null) {
                int max = r.portRangeMax() == null ? r.portRangeMin() : r.portRangeMax();
                if (p.dport() < r.portRangeMin() || p.dport() > max) {
                    return false;
                }
            }
            if ((want == 1 || want == 58) && r.portRangeMin() != null) {
                if (p.icmpType() != r.portRangeMin().intValue()) {
                    return false;
                }
                if (r.portRangeMax() != null && p.icmpCode() != r.portRangeMax().intValue()) {
                    return false;
                }
            }
        }
        return switch (r.remote()) {
            case Remote.Any a -> true;
            case Remote.IpPrefix ip -> Cidr.parse(ip.normalizedCidr()).contains(peer);
            case Remote.Group g -> {
                List<String> own = port.fixedIpAddresses();
                for (String m : v.membersOf(g.remoteGroupId())) {
                    Cidr c = Cidr.parse(m);
                    if (c.ethertype() != p.ethertype() || !ipset && own.contains(m)) {
                        continue;
                    }
                    if (c.isAny() || c.contains(peer)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Remote.AddressGroup ag -> throw new IllegalStateException("not generated");
        };
    }

    /** (MAC, CIDR or null) pairs of the anti-spoof chain of one family: AAPs, then fixed IPs, with IPv6 LLAs. */
    static List<String[]> spoofPairs(Port port, Ethertype fam) {
        List<String[]> v4 = new ArrayList<>();
        List<String[]> v6 = new ArrayList<>();
        List<String> llaDone = new ArrayList<>();
        for (AllowedAddressPair a : port.allowedAddressPairs()) {
            String mac = a.macAddress() == null ? port.macAddress() : a.macAddress();
            pair(mac, a.ipAddress(), v4, v6, llaDone);
        }
        for (String ip : port.fixedIpAddresses()) {
            pair(port.macAddress(), ip, v4, v6, llaDone);
        }
        if (port.fixedIps().isEmpty()) {
            v4.add(new String[] {port.macAddress(), null});
            v6.add(new String[] {port.macAddress(), null});
        }
        return fam == Ethertype.IPv4 ? v4 : v6;
    }

    private static void pair(String mac, String ip, List<String[]> v4, List<String[]> v6, List<String> llaDone) {
        Cidr c = Cidr.parse(ip);
        if (c.ethertype() == Ethertype.IPv4) {
            v4.add(new String[] {mac, c.text()});
        } else {
            v6.add(new String[] {mac, c.text()});
            String key = mac.toLowerCase(Locale.ROOT);
            if (!llaDone.contains(key)) {
                llaDone.add(key);
                v6.add(new String[] {mac, eui64(mac) + "/128"});
            }
        }
    }

    /** The EUI-64 link-local address of a MAC (RFC 4291 appendix A). */
    static String eui64(String mac) {
        String[] b = mac.split(":");
        int[] x = new int[6];
        for (int i = 0; i < 6; i++) {
            x[i] = Integer.parseInt(b[i], 16);
        }
        x[0] ^= 0x02;
        return Cidr.parse(String.format(Locale.ROOT, "fe80::%02x%02x:%02xff:fe%02x:%02x%02x", x[0], x[1], x[2], x[3],
                x[4], x[5])).address();
    }
}
