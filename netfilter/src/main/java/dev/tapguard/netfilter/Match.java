package dev.tapguard.netfilter;

import java.util.List;

/**
 * One match of an iptables rule, printed exactly as iptables-save prints it. The renderer builds rules from these;
 * the parser produces them from dumps; the evaluator decides them against a packet. What is not modelled is kept
 * verbatim as {@link Unknown}, so nothing is ever lost or invented.
 */
public sealed interface Match {

    /** The text as iptables-save prints it (one or more words). */
    String text();

    /** {@code [!] -s CIDR} or {@code [!] -d CIDR}. */
    record Address(boolean source, String cidr, boolean negated) implements Match {
        public String text() {
            return (negated ? "! " : "") + (source ? "-s " : "-d ") + cidr;
        }
    }

    /** {@code [!] -p PROTO}; proto is a name or number as written. */
    record Protocol(String protocol, boolean negated) implements Match {
        public String text() {
            return (negated ? "! " : "") + "-p " + protocol;
        }
    }

    /** {@code [!] -i IFACE} or {@code [!] -o IFACE}; a trailing + is a wildcard. */
    record Interface(boolean in, String name, boolean negated) implements Match {
        public String text() {
            return (negated ? "! " : "") + (in ? "-i " : "-o ") + name;
        }
    }

    /** {@code -m physdev}: bridge port the packet entered or leaves by, and the bridged/in/out flags. */
    record Physdev(String physdevIn, String physdevOut, boolean isBridged, boolean isIn, boolean isOut)
            implements Match {
        public String text() {
            StringBuilder sb = new StringBuilder("-m physdev");
            if (physdevIn != null) {
                sb.append(" --physdev-in ").append(physdevIn);
            }
            if (physdevOut != null) {
                sb.append(" --physdev-out ").append(physdevOut);
            }
            if (isIn) {
                sb.append(" --physdev-is-in");
            }
            if (isOut) {
                sb.append(" --physdev-is-out");
            }
            if (isBridged) {
                sb.append(" --physdev-is-bridged");
            }
            return sb.toString();
        }
    }

    /**
     * The protocol's own module ({@code -m tcp|udp|sctp|dccp}) with optional single ports or ranges
     * ({@code --sport 67}, {@code --dport 1000:2000}); null means not given.
     */
    record Ports(String module, String sport, String dport) implements Match {
        public String text() {
            StringBuilder sb = new StringBuilder("-m ").append(module);
            if (sport != null) {
                sb.append(" --sport ").append(sport);
            }
            if (dport != null) {
                sb.append(" --dport ").append(dport);
            }
            return sb.toString();
        }
    }

    /** {@code -m multiport --sports X --dports Y} (comma lists and ranges, as written). */
    record Multiport(String sports, String dports) implements Match {
        public String text() {
            StringBuilder sb = new StringBuilder("-m multiport");
            if (sports != null) {
                sb.append(" --sports ").append(sports);
            }
            if (dports != null) {
                sb.append(" --dports ").append(dports);
            }
            return sb.toString();
        }
    }

    /** {@code -m icmp --icmp-type T[/C]} or {@code -m icmp6 --icmpv6-type T[/C]}; type null = module only. */
    record Icmp(boolean v6, Integer type, Integer code) implements Match {
        public String text() {
            StringBuilder sb = new StringBuilder(v6 ? "-m icmp6" : "-m icmp");
            if (type != null) {
                sb.append(v6 ? " --icmpv6-type " : " --icmp-type ").append(type);
                if (code != null) {
                    sb.append('/').append(code);
                }
            }
            return sb.toString();
        }
    }

    /** {@code -m state --state A,B} or {@code -m conntrack --ctstate A,B}. */
    record State(List<String> states, boolean conntrack) implements Match {
        public State {
            states = List.copyOf(states);
        }

        public String text() {
            return (conntrack ? "-m conntrack --ctstate " : "-m state --state ") + String.join(",", states);
        }
    }

    /** {@code -m mac --mac-source MAC}. */
    record Mac(String macSource) implements Match {
        public String text() {
            return "-m mac --mac-source " + macSource;
        }
    }

    /** {@code -m set --match-set NAME src|dst}. */
    record Set(String setName, String flags, boolean negated) implements Match {
        public String text() {
            return "-m set " + (negated ? "! " : "") + "--match-set " + setName + " " + flags;
        }
    }

    /** {@code -m comment --comment "TEXT"}. */
    record Comment(String comment) implements Match {
        public String text() {
            return "-m comment --comment \"" + comment + "\"";
        }
    }

    /**
     * {@code -m physdev} with negated options, as the kernel's xt_physdev reads them: a name option that is null was
     * not given; a flag that is null was not given, {@code FALSE} means {@code ! --physdev-is-...}. The renderer
     * writes the plain {@link Physdev}; the parser produces this form only when an option is negated.
     */
    record PhysdevOptions(String physdevIn, boolean inNegated, String physdevOut, boolean outNegated,
                          Boolean isBridged, Boolean isIn, Boolean isOut) implements Match {
        public String text() {
            StringBuilder sb = new StringBuilder("-m physdev");
            if (physdevIn != null) {
                sb.append(inNegated ? " ! --physdev-in " : " --physdev-in ").append(physdevIn);
            }
            if (physdevOut != null) {
                sb.append(outNegated ? " ! --physdev-out " : " --physdev-out ").append(physdevOut);
            }
            flag(sb, isIn, "--physdev-is-in");
            flag(sb, isOut, "--physdev-is-out");
            flag(sb, isBridged, "--physdev-is-bridged");
            return sb.toString();
        }

        private static void flag(StringBuilder sb, Boolean f, String name) {
            if (f != null) {
                sb.append(f ? " " : " ! ").append(name);
            }
        }

        /** The plain form as this general one. */
        public static PhysdevOptions of(Physdev p) {
            return new PhysdevOptions(p.physdevIn(), false, p.physdevOut(), false, p.isBridged() ? Boolean.TRUE : null,
                    p.isIn() ? Boolean.TRUE : null, p.isOut() ? Boolean.TRUE : null);
        }
    }

    /**
     * A module option written with {@code !} before it ({@code -m tcp ! --dport 22}, {@code -m state ! --state
     * INVALID}, {@code ! -f}): the inner match inverted, the protocol the module needs still required.
     */
    record Not(Match match) implements Match {
        public Not {
            java.util.Objects.requireNonNull(match, "match");
        }

        public String text() {
            String t = match.text();
            if (t.startsWith("-m ")) {
                int sp = t.indexOf(' ', 3);
                if (sp > 0) {
                    return t.substring(0, sp) + " !" + t.substring(sp);
                }
            }
            return "! " + t;
        }
    }

    /** {@code -m tcp --tcp-flags MASK COMP} ({@code --syn} is SYN among FIN,SYN,RST,ACK). */
    record TcpFlags(String mask, String comparison) implements Match {
        public String text() {
            return "-m tcp --tcp-flags " + mask + " " + comparison;
        }
    }

    /** {@code -m multiport --ports X}: source or destination port in the list. */
    record MultiportEither(String ports) implements Match {
        public String text() {
            return "-m multiport --ports " + ports;
        }
    }

    /** {@code -m iprange --src-range A-B} or {@code --dst-range A-B}. */
    record Iprange(boolean source, String from, String to) implements Match {
        public String text() {
            return "-m iprange " + (source ? "--src-range " : "--dst-range ") + from + "-" + to;
        }
    }

    /** {@code -m mark --mark VALUE[/MASK]}: the packet's fwmark ANDed with mask equals value. */
    record Mark(long value, long mask) implements Match {
        public String text() {
            return "-m mark --mark 0x" + Long.toHexString(value)
                    + (mask == 0xffffffffL ? "" : "/0x" + Long.toHexString(mask));
        }
    }

    /** {@code -f}: a second or later fragment. Probes are whole datagrams, so it never matches one. */
    record Fragment() implements Match {
        public String text() {
            return "-f";
        }
    }

    /** Anything the model does not understand, kept word for word. */
    record Unknown(String text) implements Match {
    }
}
