package dev.tapguard.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The protocol registry: Neutron's names (neutron-lib 3.1 {@code IP_PROTOCOL_MAP}), the Linux kernel's numbers
 * ({@code include/uapi/linux/in.h}, {@code in6.h}), IANA's keywords, and Debian's {@code /etc/protocols} (netbase)
 * frozen here, so nothing ever depends on the host's file.
 */
public final class Protocols {
    private Protocols() {
    }

    /** neutron-lib IP_PROTOCOL_MAP, including the legacy alias {@code icmpv6}; the API accepts exactly these names. */
    public static final Map<String, Integer> NEUTRON_NAMES;
    /** neutron-lib IP_PROTOCOL_NUM_TO_NAME_MAP: number to the Neutron name (ipv6-icmp, never icmpv6). */
    public static final Map<Integer, String> NEUTRON_NAME_BY_NUMBER;
    /** Protocols whose rules may carry port ranges (neutron _constants.SG_PORT_PROTO_NAMES / NUMS). */
    public static final List<String> PORT_PROTOCOL_NAMES = List.of("dccp", "sctp", "tcp", "udp", "udplite");
    /** Names that Neutron's API only accepts with ethertype IPv6. */
    public static final List<String> IPV6_ONLY = List.of("ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6",
            "ipv6-nonxt", "ipv6-opts", "ipv6-route", "41", "44", "58", "59", "60", "43");

    /** Debian netbase /etc/protocols as of Debian 12: official name, number, aliases. */
    public record ProtoEntry(String name, int number, List<String> aliases) {
    }

    public static final List<ProtoEntry> DEBIAN_ETC_PROTOCOLS = List.of(
            e("ip", 0, "IP"), e("hopopt", 0, "HOPOPT"), e("icmp", 1, "ICMP"), e("igmp", 2, "IGMP"),
            e("ggp", 3, "GGP"), e("ipencap", 4, "IP-ENCAP"), e("st", 5, "ST"), e("tcp", 6, "TCP"),
            e("egp", 8, "EGP"), e("igp", 9, "IGP"), e("pup", 12, "PUP"), e("udp", 17, "UDP"), e("hmp", 20, "HMP"),
            e("xns-idp", 22, "XNS-IDP"), e("rdp", 27, "RDP"), e("iso-tp4", 29, "ISO-TP4"), e("dccp", 33, "DCCP"),
            e("xtp", 36, "XTP"), e("ddp", 37, "DDP"), e("idpr-cmtp", 38, "IDPR-CMTP"), e("ipv6", 41, "IPv6"),
            e("ipv6-route", 43, "IPv6-Route"), e("ipv6-frag", 44, "IPv6-Frag"), e("idrp", 45, "IDRP"),
            e("rsvp", 46, "RSVP"), e("gre", 47, "GRE"), e("esp", 50, "IPSEC-ESP"), e("ah", 51, "IPSEC-AH"),
            e("skip", 57, "SKIP"), e("ipv6-icmp", 58, "IPv6-ICMP"), e("ipv6-nonxt", 59, "IPv6-NoNxt"),
            e("ipv6-opts", 60, "IPv6-Opts"), e("rspf", 73, "RSPF", "CPHB"), e("vmtp", 81, "VMTP"),
            e("eigrp", 88, "EIGRP"), e("ospf", 89, "OSPFIGP"), e("ax.25", 93, "AX.25"), e("ipip", 94, "IPIP"),
            e("etherip", 97, "ETHERIP"), e("encap", 98, "ENCAP"), e("pim", 103, "PIM"), e("ipcomp", 108, "IPCOMP"),
            e("vrrp", 112, "VRRP"), e("l2tp", 115, "L2TP"), e("isis", 124, "ISIS"), e("sctp", 132, "SCTP"),
            e("fc", 133, "FC"), e("mobility-header", 135, "Mobility-Header"), e("udplite", 136, "UDPLite"),
            e("mpls-in-ip", 137, "MPLS-in-IP"), e("manet", 138), e("hip", 139, "HIP"), e("shim6", 140, "Shim6"),
            e("wesp", 141, "WESP"), e("rohc", 142, "ROHC"), e("ethernet", 143, "Ethernet"),
            e("mptcp", 262, "MPTCP"));

    /** Linux uapi in.h / in6.h: IPPROTO_* names by number. */
    public static final Map<Integer, String> LINUX_IPPROTO;
    /** IANA "Assigned Internet Protocol Numbers" keywords (0-145, 253-255). */
    public static final Map<Integer, String> IANA_KEYWORDS;

    private static final Map<String, Integer> DEBIAN_BY_NAME;
    private static final Map<Integer, String> DEBIAN_NAME_BY_NUMBER;
    /** neutron-lib IPTABLES_PROTOCOL_NAME_MAP overlaid with Debian's /etc/protocols (number to official name). */
    private static final Map<String, String> NEUTRON_IPTABLES_NAME_MAP;

    static {
        Map<String, Integer> n = new LinkedHashMap<>();
        n.put("ah", 51);
        n.put("dccp", 33);
        n.put("egp", 8);
        n.put("esp", 50);
        n.put("gre", 47);
        n.put("hopopt", 0);
        n.put("icmp", 1);
        n.put("igmp", 2);
        n.put("ip", 0);
        n.put("ipip", 4);
        n.put("ipv6-encap", 41);
        n.put("ipv6-frag", 44);
        n.put("ipv6-icmp", 58);
        n.put("icmpv6", 58);
        n.put("ipv6-nonxt", 59);
        n.put("ipv6-opts", 60);
        n.put("ipv6-route", 43);
        n.put("ospf", 89);
        n.put("pgm", 113);
        n.put("rsvp", 46);
        n.put("sctp", 132);
        n.put("tcp", 6);
        n.put("udp", 17);
        n.put("udplite", 136);
        n.put("vrrp", 112);
        NEUTRON_NAMES = Collections.unmodifiableMap(n);
        Map<Integer, String> byNum = new TreeMap<>();
        // Python's dict comprehension keeps the last name per number: 'ip' (after 'hopopt') for 0.
        n.forEach((name, num) -> {
            if (!name.equals("icmpv6")) {
                byNum.put(num, name);
            }
        });
        NEUTRON_NAME_BY_NUMBER = Collections.unmodifiableMap(byNum);

        Map<String, Integer> debByName = new LinkedHashMap<>();
        Map<Integer, String> debByNum = new TreeMap<>();
        for (ProtoEntry p : DEBIAN_ETC_PROTOCOLS) {
            debByName.putIfAbsent(p.name(), p.number());
            for (String a : p.aliases()) {
                debByName.putIfAbsent(a, p.number());
            }
            // getprotoent walks the file in order; the overlay keeps the last entry per number (hopopt for 0).
            debByNum.put(p.number(), p.name());
        }
        DEBIAN_BY_NAME = Collections.unmodifiableMap(debByName);
        DEBIAN_NAME_BY_NUMBER = Collections.unmodifiableMap(debByNum);

        Map<String, String> ipt = new LinkedHashMap<>();
        ipt.put("ipv6-encap", "ipv6");
        ipt.put("icmpv6", "ipv6-icmp");
        ipt.put("pgm", "113");
        String[] pairs = {"1", "icmp", "2", "igmp", "3", "ggp", "4", "ipencap", "5", "st", "6", "tcp", "8", "egp",
            "9", "igp", "12", "pup", "17", "udp", "20", "hmp", "22", "xns-idp", "27", "rdp", "29", "iso-tp4",
            "33", "dccp", "36", "xtp", "37", "ddp", "38", "idpr-cmtp", "41", "ipv6", "43", "ipv6-route",
            "44", "ipv6-frag", "45", "idrp", "46", "rsvp", "47", "gre", "50", "esp", "51", "ah", "57", "skip",
            "58", "ipv6-icmp", "59", "ipv6-nonxt", "60", "ipv6-opts", "73", "rspf", "81", "vmtp", "88", "eigrp",
            "89", "ospf", "93", "ax.25", "94", "ipip", "97", "etherip", "98", "encap", "103", "pim",
            "108", "ipcomp", "112", "vrrp", "115", "l2tp", "124", "isis", "132", "sctp", "133", "fc",
            "135", "mobility-header", "136", "udplite", "137", "mpls-in-ip", "138", "manet", "139", "hip",
            "140", "shim6", "141", "wesp", "142", "rohc"};
        for (int i = 0; i < pairs.length; i += 2) {
            ipt.put(pairs[i], pairs[i + 1]);
        }
        ipt.put("0", null);
        // the agent overlays getprotoent() of the compute host: number -> official name
        debByNum.forEach((num, name) -> ipt.put(String.valueOf(num), name));
        NEUTRON_IPTABLES_NAME_MAP = Collections.unmodifiableMap(ipt);

        Map<Integer, String> linux = new TreeMap<>();
        linux.put(0, "IPPROTO_IP / IPPROTO_HOPOPTS");
        linux.put(1, "IPPROTO_ICMP");
        linux.put(2, "IPPROTO_IGMP");
        linux.put(4, "IPPROTO_IPIP");
        linux.put(6, "IPPROTO_TCP");
        linux.put(8, "IPPROTO_EGP");
        linux.put(12, "IPPROTO_PUP");
        linux.put(17, "IPPROTO_UDP");
        linux.put(22, "IPPROTO_IDP");
        linux.put(29, "IPPROTO_TP");
        linux.put(33, "IPPROTO_DCCP");
        linux.put(41, "IPPROTO_IPV6");
        linux.put(43, "IPPROTO_ROUTING");
        linux.put(44, "IPPROTO_FRAGMENT");
        linux.put(46, "IPPROTO_RSVP");
        linux.put(47, "IPPROTO_GRE");
        linux.put(50, "IPPROTO_ESP");
        linux.put(51, "IPPROTO_AH");
        linux.put(58, "IPPROTO_ICMPV6");
        linux.put(59, "IPPROTO_NONE");
        linux.put(60, "IPPROTO_DSTOPTS");
        linux.put(92, "IPPROTO_MTP");
        linux.put(94, "IPPROTO_BEETPH");
        linux.put(98, "IPPROTO_ENCAP");
        linux.put(103, "IPPROTO_PIM");
        linux.put(108, "IPPROTO_COMP");
        linux.put(115, "IPPROTO_L2TP");
        linux.put(132, "IPPROTO_SCTP");
        linux.put(135, "IPPROTO_MH");
        linux.put(136, "IPPROTO_UDPLITE");
        linux.put(137, "IPPROTO_MPLS");
        linux.put(143, "IPPROTO_ETHERNET");
        linux.put(255, "IPPROTO_RAW");
        linux.put(262, "IPPROTO_MPTCP");
        LINUX_IPPROTO = Collections.unmodifiableMap(linux);

        String[] iana = {"HOPOPT", "ICMP", "IGMP", "GGP", "IPv4", "ST", "TCP", "CBT", "EGP", "IGP", "BBN-RCC-MON",
            "NVP-II", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX", "DCN-MEAS", "HMP", "PRM", "XNS-IDP",
            "TRUNK-1", "TRUNK-2", "LEAF-1", "LEAF-2", "RDP", "IRTP", "ISO-TP4", "NETBLT", "MFE-NSP", "MERIT-INP",
            "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR-CMTP", "TP++", "IL", "IPv6", "SDRP", "IPv6-Route",
            "IPv6-Frag", "IDRP", "RSVP", "GRE", "DSR", "BNA", "ESP", "AH", "I-NLSP", "SWIPE", "NARP", "Min-IPv4",
            "TLSP", "SKIP", "IPv6-ICMP", "IPv6-NoNxt", "IPv6-Opts", "any host internal protocol", "CFTP",
            "any local network", "SAT-EXPAK", "KRYPTOLAN", "RVD", "IPPC", "any distributed file system",
            "SAT-MON", "VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK",
            "ISO-IP", "VMTP", "SECURE-VMTP", "VINES", "IPTM", "NSFNET-IGP", "DGP", "TCF", "EIGRP", "OSPFIGP",
            "Sprite-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP", "SCC-SP", "ETHERIP", "ENCAP",
            "any private encryption scheme", "GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N",
            "IPComp", "SNP", "Compaq-Peer", "IPX-in-IP", "VRRP", "PGM", "any 0-hop protocol", "L2TP", "DDX",
            "IATP", "STP", "SRP", "UTI", "SMP", "SM", "PTP", "ISIS over IPv4", "FIRE", "CRTP", "CRUDP",
            "SSCOPMCE", "IPLT", "SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility Header", "UDPLite",
            "MPLS-in-IP", "manet", "HIP", "Shim6", "WESP", "ROHC", "Ethernet", "AGGFRAG", "NSH"};
        Map<Integer, String> ianaMap = new TreeMap<>();
        for (int i = 0; i < iana.length; i++) {
            ianaMap.put(i, iana[i]);
        }
        ianaMap.put(253, "experimentation and testing");
        ianaMap.put(254, "experimentation and testing");
        ianaMap.put(255, "Reserved");
        IANA_KEYWORDS = Collections.unmodifiableMap(ianaMap);
    }

    private static ProtoEntry e(String name, int number, String... aliases) {
        return new ProtoEntry(name, number, List.of(aliases));
    }

    /**
     * The IP protocol number an API protocol value means: a Neutron name, a decimal number, or null ("any").
     * Legacy rows may hold names outside Neutron's map; those resolve through Debian's table, else empty.
     */
    public static OptionalInt number(String protocol) {
        if (protocol == null || protocol.isEmpty()) {
            return OptionalInt.empty();
        }
        Integer n = NEUTRON_NAMES.get(protocol);
        if (n != null) {
            return OptionalInt.of(n);
        }
        Integer parsed = parseDecimal(protocol);
        if (parsed != null) {
            return OptionalInt.of(parsed);
        }
        Integer deb = DEBIAN_BY_NAME.get(protocol);
        return deb == null ? OptionalInt.empty() : OptionalInt.of(deb);
    }

    /** True for "any protocol": null, empty, or a value meaning protocol 0 as Neutron's driver treats "0". */
    public static boolean isAny(String protocol) {
        return protocol == null || protocol.isEmpty() || protocol.equals("0");
    }

    /** The name iptables resolves on a Debian host (getprotobyname over /etc/protocols), or null. */
    public static Integer debianNumber(String name) {
        return DEBIAN_BY_NAME.get(name);
    }

    /** Debian's official name for a number (what iptables-save prints), or null. */
    public static String debianName(int number) {
        return DEBIAN_NAME_BY_NUMBER.get(number);
    }

    /**
     * What Neutron's iptables driver writes after {@code -p} for a stored protocol, on a Debian compute host
     * ({@code IptablesFirewallDriver._iptables_protocol_name}); null means no {@code -p} at all.
     */
    public static String neutronIptablesName(String protocol) {
        if (protocol == null || protocol.isEmpty() || protocol.equals("0")) {
            return null;
        }
        return NEUTRON_IPTABLES_NAME_MAP.getOrDefault(protocol, protocol);
    }

    /**
     * What Tapguard writes after {@code -p}: Neutron's text where the kernel reads it as the number the API means,
     * otherwise Debian's official name for that number (what iptables-save prints back), otherwise the number.
     * The only name where the two differ is {@code ipip}: Neutron's {@code -p ipip} is protocol 94 (BEET) on Linux.
     */
    public static String kernelName(String protocol) {
        String neutron = neutronIptablesName(protocol);
        if (neutron == null) {
            return null;
        }
        OptionalInt meant = number(protocol);
        if (meant.isEmpty() || readsAs(neutron) == meant.getAsInt()) {
            return neutron;
        }
        String official = debianName(meant.getAsInt());
        return official != null ? official : String.valueOf(meant.getAsInt());
    }

    /** The protocol number iptables reads for a {@code -p} word on a Debian host, or -1 if it cannot. */
    public static int readsAs(String word) {
        Integer parsed = parseDecimal(word);
        if (parsed != null) {
            return parsed;
        }
        if (word.equals("all")) {
            return 0;
        }
        if (word.equals("icmpv6")) {
            return 58; // iptables' built-in alias
        }
        Integer deb = DEBIAN_BY_NAME.get(word);
        return deb == null ? -1 : deb;
    }

    /** A short human description for messages: "4 (ipip, Linux IPPROTO_IPIP, IANA IPv4)". */
    public static String describe(int number) {
        StringBuilder sb = new StringBuilder().append(number);
        String neutron = NEUTRON_NAME_BY_NUMBER.get(number);
        String linux = LINUX_IPPROTO.get(number);
        String iana = IANA_KEYWORDS.get(number);
        sb.append(" (");
        String sep = "";
        if (neutron != null) {
            sb.append(sep).append("Neutron '").append(neutron).append('\'');
            sep = ", ";
        }
        if (linux != null) {
            sb.append(sep).append("Linux ").append(linux);
            sep = ", ";
        }
        if (iana != null) {
            sb.append(sep).append("IANA ").append(iana);
            sep = ", ";
        }
        if (sep.isEmpty()) {
            sb.append("unassigned");
        }
        return sb.append(')').toString();
    }

    /** Python int() on a decimal string, as Neutron's convert_protocol uses it; null when not an integer. */
    static Integer parseDecimal(String s) {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 9) {
            return null;
        }
        int i = 0;
        if (t.charAt(0) == '+' || t.charAt(0) == '-') {
            i = 1;
            if (t.length() == 1) {
                return null;
            }
        }
        for (int k = i; k < t.length(); k++) {
            char c = t.charAt(k);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Integer.parseInt(t);
    }
}
