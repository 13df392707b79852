package dev.tapguard.trace;

import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Protocols;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Evaluation;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.Hook;
import dev.tapguard.netfilter.IpsetDump;
import dev.tapguard.netfilter.Packet;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.RuleParser;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.RulesetEvaluator;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Answers probes against a ruleset: Tapguard's own (rendered with provenance, with the host view that produced it)
 * or a dump from a host (roles inferred from Neutron's layout). Pure and reusable: compile once, trace many.
 */
public final class Tracer {
    private final Map<Family, List<Table>> tables;
    private final RulesetEvaluator evaluator;
    private final HostView view;
    private final HostNames names;
    private final Map<String, String> chainPorts;
    private final String wrap;
    /** Chains by family and "table NUL name". */
    private final Map<Family, Map<String, Chain>> chainIndex = new EnumMap<>(Family.class);
    /** Port ids by their tap device, for probes given by bridge ports. */
    private final Map<String, String> portByTap = new HashMap<>();

    private Tracer(Map<Family, List<Table>> tables, IpsetDump sets, HostView view, Map<String, String> chainPorts) {
        this.tables = tables;
        this.evaluator = RulesetEvaluator.compile(tables, sets);
        this.view = view;
        this.chainPorts = new HashMap<>(chainPorts);
        if (view != null) {
            List<String> ids = view.ports().stream().map(Port::id).toList();
            this.names = HostNames.of(ids, view.securityGroups().keySet());
        } else {
            this.names = null;
        }
        Set<String> chains = new HashSet<>();
        tables.values().forEach(ts -> ts.forEach(t -> t.chains().forEach(c -> {
            chains.add(c.name());
        })));
        this.wrap = RoleInference.wrapOf(chains);
        tables.forEach((f, ts) -> {
            Map<String, Chain> m = new HashMap<>();
            ts.forEach(t -> t.chains().forEach(c -> m.put(t.name() + "\u0000" + c.name(), c)));
            chainIndex.put(f, m);
        });
        for (String portId : this.chainPorts.values()) {
            portByTap.putIfAbsent(HostNames.neutron(portId).tap(), portId);
        }
        if (view != null) {
            for (Port p : view.ports()) {
                portByTap.put(names.port(p.id()).tap(), p.id());
            }
        }
    }

    /** A tracer over Tapguard's rendered ruleset; {@code view} is the host view it was rendered from. */
    public static Tracer forRuleset(Ruleset ruleset, HostView view) {
        return new Tracer(ruleset.tables(), IpsetDump.of(ruleset.ipsets()), view, ruleset.chainPorts());
    }

    /** A tracer over a host's dump (iptables-save and ip6tables-save tables, and ipset save). */
    public static Tracer forDump(Map<Family, List<Table>> tables, IpsetDump sets) {
        Map<Family, List<Table>> t = new EnumMap<>(Family.class);
        t.putAll(tables);
        return new Tracer(t, sets, null, Map.of());
    }

    public RulesetEvaluator evaluator() {
        return evaluator;
    }

    /** Traces one probe; throws IllegalArgumentException when the probe cannot be made into a packet. */
    public Trace trace(Probe probe) {
        List<String> warnings = new ArrayList<>();
        Resolved r = resolve(probe, warnings);
        Evaluation ev = evaluator.evaluate(r.packet);
        warnings.addAll(ev.notes());
        Trace.Hop hop = hop(r, ev);
        Trace.Explanation explanation = Explainer.explain(this, r, ev, hop);
        return new Trace(probe, List.of(hop), ev.allowed(), hop.decision(), explanation, warnings,
                ev.decided());
    }

    // ------------------------------------------------------------------------------------------------ probe

    /** A probe made concrete: the packet and what is known about the port it concerns. */
    record Resolved(Probe probe, Packet packet, Port port, PortNames names, Direction direction, boolean toHost,
                    String bridge) {
    }

    Resolved resolve(Probe p, List<String> warnings) {
        Port port = null;
        PortNames pn = null;
        Direction dir = p.direction();
        String physIn = p.physdevIn();
        String physOut = p.physdevOut();
        String bridge = null;
        String portId = p.portId();
        if (portId != null) {
            port = view == null ? null : view.ports().stream().filter(x -> x.id().equals(p.portId())).findFirst()
                    .orElse(null);
            if (view != null && port == null) {
                throw new IllegalArgumentException("port " + portId + " is not bound to this host");
            }
            pn = names != null ? names.port(portId) : HostNames.neutron(portId);
            if (dir == null) {
                throw new IllegalArgumentException("a port probe needs a direction (ingress or egress)");
            }
            bridge = pn.qbr();
            if (p.toHost()) {
                if (dir != Direction.EGRESS) {
                    throw new IllegalArgumentException("traffic to the host leaves the VM: use --direction egress");
                }
                physIn = pn.tap();
                physOut = null;
            } else if (dir == Direction.INGRESS) {
                physIn = pn.qvb();
                physOut = pn.tap();
            } else {
                physIn = pn.tap();
                physOut = pn.qvb();
            }
        } else {
            if (physIn == null || physOut == null && !p.toHost()) {
                throw new IllegalArgumentException("give --port ID --direction ingress|egress, or --physdev-in DEV "
                        + "--physdev-out DEV");
            }
            bridge = bridgeOf(physIn, physOut);
            String tapOut = physOut != null && physOut.startsWith("tap") ? physOut : null;
            String tapIn = physIn.startsWith("tap") ? physIn : null;
            if (dir == null) {
                dir = tapOut != null ? Direction.INGRESS : tapIn != null ? Direction.EGRESS : null;
            }
            portId = portOfTap(tapOut != null ? tapOut : tapIn);
            if (portId != null && view != null) {
                String id = portId;
                port = view.ports().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            }
        }
        String protoText = p.protocol();
        if (protoText == null) {
            throw new IllegalArgumentException("give --protocol (a name such as tcp, udp, icmp, ipip, or a number)");
        }
        String src = p.src();
        String dst = p.dst();
        Ethertype fam = src != null ? familyOf(src, "--src") : dst != null ? familyOf(dst, "--dst") : null;
        if (fam == null) {
            if (protoText.equalsIgnoreCase("ipv6-icmp") || protoText.equalsIgnoreCase("icmpv6")) {
                fam = Ethertype.IPv6;
            } else {
                fam = Ethertype.IPv4;
            }
        }
        String[] fromDump = port == null && pn != null ? fromSpoofChain(pn, fam) : null;
        if (port != null || fromDump != null) {
            String own = port != null ? ownAddress(port, fam) : fromDump[0];
            if (dir == Direction.INGRESS && dst == null) {
                dst = own;
            } else if (dir == Direction.EGRESS && src == null) {
                src = own;
            }
        }
        if (src == null || dst == null) {
            throw new IllegalArgumentException("give --src and --dst (the port's own address is filled in only when "
                    + "the port is known with an address of that family)");
        }
        int proto = protocolNumber(protoText, fam, warnings);
        String srcMac = p.srcMac();
        if (srcMac == null && dir == Direction.EGRESS) {
            srcMac = port != null ? port.macAddress() : fromDump != null ? fromDump[1] : null;
        }
        Integer type = p.icmpType();
        Integer code = p.icmpCode();
        if ((proto == 1 || proto == 58) && type == null) {
            type = proto == 1 ? 8 : 128;
            warnings.add("no ICMP type given: taken as an echo request (" + type + ")");
        }
        if (proto == 1 || proto == 58) {
            code = code == null ? Integer.valueOf(0) : code;
        }
        CtState ct = p.ct() == null ? CtState.NEW : p.ct();
        Packet packet;
        try {
            packet = Packet.builder().src(src).dst(dst).protocol(proto).sport(p.sport()).dport(p.dport())
                    .icmp(type, code).tcpFlags(p.tcpFlags()).srcMac(srcMac).physdev(physIn, physOut)
                    .interfaces(bridge, p.toHost() ? null : bridge).hook(p.toHost() ? Hook.INPUT : Hook.FORWARD)
                    .ct(ct).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("probe: " + e.getMessage(), e);
        }
        if (bridge == null) {
            warnings.add("the bridge of " + physIn + " is not known: rules on -i/-o cannot be decided");
        }
        return new Resolved(p, packet, port, pn, dir, p.toHost(), bridge);
    }

    /** A dump's port address and MAC, from the first host entry of its anti-spoof chain. */
    private String[] fromSpoofChain(PortNames pn, Ethertype fam) {
        if (wrap == null) {
            return null;
        }
        Chain c = chain(Family.of(fam), "filter", pn.chain(wrap, 's'));
        if (c == null) {
            return null;
        }
        for (Rule r : c.rules()) {
            String ip = null;
            String mac = null;
            for (dev.tapguard.netfilter.Match m : r.matches()) {
                if (m instanceof dev.tapguard.netfilter.Match.Address a && a.source() && !a.negated()
                        && (a.cidr().endsWith("/32") || a.cidr().endsWith("/128"))) {
                    ip = a.cidr().substring(0, a.cidr().indexOf('/'));
                } else if (m instanceof dev.tapguard.netfilter.Match.Mac mm) {
                    mac = mm.macSource().toLowerCase(Locale.ROOT);
                }
            }
            if (ip != null && mac != null && !ip.startsWith("fe80:")) {
                return new String[] {ip, mac};
            }
        }
        return null;
    }

    private static Ethertype familyOf(String addr, String what) {
        // the packet checks the address itself; a prefix is not a probe's address
        if (addr.indexOf('/') >= 0) {
            throw new IllegalArgumentException(what + " '" + addr + "' is not an IP address");
        }
        return addr.indexOf(':') >= 0 ? Ethertype.IPv6 : Ethertype.IPv4;
    }

    private static String ownAddress(Port port, Ethertype fam) {
        for (String ip : port.fixedIpAddresses()) {
            if (Cidr.parse(ip).ethertype() == fam) {
                return ip;
            }
        }
        return null;
    }

    /**
     * The IP protocol number a probe means: Neutron's names first ("ipip" is IP-in-IP, 4, as in the API), then a
     * number, then Debian's /etc/protocols.
     */
    static int protocolNumber(String text, Ethertype fam, List<String> warnings) {
        String t = text.toLowerCase(Locale.ROOT);
        if (fam == Ethertype.IPv6 && (t.equals("icmp") || t.equals("icmpv6") || t.equals("ipv6-icmp"))) {
            return 58;
        }
        Integer neutron = Protocols.NEUTRON_NAMES.get(t);
        if (neutron != null) {
            if (t.equals("ipip")) {
                warnings.add("'ipip' is taken as IP-in-IP, protocol 4, as the API means it (Linux's /etc/protocols "
                        + "calls 94, BEET, 'ipip'); use --protocol 94 for BEET");
            }
            return neutron;
        }
        int n = RuleParser.readsAs(t);
        if (n < 0 || n > 255) {
            throw new IllegalArgumentException("protocol '" + text + "' is not a known name or a number 0-255");
        }
        return n;
    }

    private String bridgeOf(String in, String out) {
        for (String dev : new String[] {in, out}) {
            if (dev != null && dev.length() > 3 && (dev.startsWith("tap") || dev.startsWith("qvb"))) {
                return "qbr" + dev.substring(3);
            }
        }
        return null;
    }

    private String portOfTap(String tap) {
        return tap == null ? null : portByTap.get(tap);
    }

    // ------------------------------------------------------------------------------------------------ hop

    private Trace.Hop hop(Resolved r, Evaluation ev) {
        List<Trace.Step> steps = new ArrayList<>();
        Trace.Step allowing = null;
        for (Evaluation.Step s : ev.steps()) {
            switch (s) {
                case Evaluation.Entered e -> steps.add(new Trace.Step(Trace.Kind.ENTER, e.table(), e.chain(), 0, 0,
                        null, null, null, null));
                case Evaluation.Tried t -> {
                    Provenance prov = provenance(t.chain(), t.rule());
                    String action = Boolean.TRUE.equals(t.matched()) ? action(t.rule().verdict()) : null;
                    Trace.Step step = new Trace.Step(Trace.Kind.RULE, t.table(), t.chain(), t.number(), t.number(),
                            t.rule().text(), t.matched(), action, prov);
                    steps.add(step);
                    if (Boolean.TRUE.equals(t.matched()) && t.rule().verdict() instanceof Verdict.Return
                            && isPortChain(t.chain())) {
                        allowing = step;
                    }
                }
                case Evaluation.Skipped k -> steps.add(new Trace.Step(Trace.Kind.SKIPPED, k.table(), k.chain(),
                        k.fromNumber(), k.toNumber(), null, false, null, null));
                case Evaluation.Policy pol -> steps.add(new Trace.Step(Trace.Kind.POLICY, pol.table(), pol.chain(),
                        0, 0, null, null, pol.policy(), null));
                case Evaluation.Left l -> steps.add(new Trace.Step(Trace.Kind.RETURN, l.table(), l.chain(), 0, 0,
                        null, null, null, null));
            }
        }
        Trace.Decision d = decision(ev, allowing);
        String label = label(r);
        return new Trace.Hop(label, portIdOf(r), r.direction(), r.toHost(), r.packet(), steps, d, ev.state(),
                ev.zone());
    }

    private static String portIdOf(Resolved r) {
        if (r.port() != null) {
            return r.port().id();
        }
        return r.probe().portId();
    }

    private String label(Resolved r) {
        Packet p = r.packet();
        StringBuilder sb = new StringBuilder();
        sb.append("bridge ").append(r.bridge() == null ? "(unknown)" : r.bridge()).append(": ");
        sb.append(p.physdevIn()).append(" -> ").append(r.toHost() ? "the host (INPUT)" : p.physdevOut());
        String id = portIdOf(r);
        if (r.direction() != null) {
            sb.append(" (").append(r.toHost() ? "from" : r.direction() == Direction.INGRESS ? "ingress to"
                    : "egress from").append(" port ").append(id == null ? "?" : id).append(')');
        }
        return sb.toString();
    }

    Provenance provenance(String chain, Rule rule) {
        return RoleInference.provenance(wrap, chain, rule, chainPorts);
    }

    boolean isPortChain(String chain) {
        if (chainPorts.containsKey(chain)) {
            return chain.length() > 0 && (wrap == null || !chain.startsWith(wrap + "-s"));
        }
        if (wrap == null || !chain.startsWith(wrap + "-")) {
            return false;
        }
        String stem = chain.substring(wrap.length() + 1);
        return (stem.startsWith("i") || stem.startsWith("o")) && !stem.equals("sg-chain") && !stem.equals("INPUT")
                && !stem.equals("OUTPUT");
    }

    String wrap() {
        return wrap;
    }

    HostView view() {
        return view;
    }

    Chain chain(Family f, String table, String name) {
        return chainIndex.getOrDefault(f, Map.of()).get(table + "\u0000" + name);
    }

    private Trace.Decision decision(Evaluation ev, Trace.Step allowing) {
        Evaluation.Decision k = ev.decidedBy();
        String kernelChain = k == null ? null : k.chain();
        int kernelRule = k == null ? 0 : k.ruleNumber();
        if (k == null) {
            return new Trace.Decision(ev.allowed(), ev.outcome().name(), null, null, 0, null, null, null,
                    "no table on the path has a built-in chain for this hook: the kernel lets it pass", null, 0);
        }
        if (ev.allowed() && allowing != null && k.rule() != null && provenance(k.chain(), k.rule()).role()
                == Role.SKELETON) {
            Provenance p = allowing.provenance();
            return new Trace.Decision(true, ev.outcome().name(), allowing.table(), allowing.chain(),
                    allowing.number(), allowing.ruleText(), null, p, reason(true, p), kernelChain, kernelRule);
        }
        if (k.byPolicy()) {
            String reason = "the " + k.table() + " " + k.chain() + " policy " + k.policy()
                    + (ev.allowed() ? ": no rule on the path stopped it" : "");
            return new Trace.Decision(ev.allowed(), ev.outcome().name(), k.table(), k.chain(), 0, null, k.policy(),
                    null, reason, kernelChain, kernelRule);
        }
        Provenance p = provenance(k.chain(), k.rule());
        return new Trace.Decision(ev.allowed(), ev.outcome().name(), k.table(), k.chain(), k.ruleNumber(),
                k.rule().text(), null, p, reason(ev.allowed(), p), kernelChain, kernelRule);
    }

    private String reason(boolean allowed, Provenance p) {
        if (p == null) {
            return null;
        }
        return switch (p.role()) {
            case SECURITY_GROUP_RULE -> p.securityGroupRuleId() != null
                    ? "security group rule " + p.securityGroupRuleId() + " of group " + p.securityGroupId()
                    + describeRule(p) : "a security group rule of the port";
            case STATE_ASSOC -> "part of a connection conntrack knows (RELATED,ESTABLISHED)";
            case PROVIDER_RULE -> "a DHCP reply or router advertisement, allowed into every port";
            case ICMPV6_INGRESS -> "neighbour discovery or MLD, always allowed into a port";
            case EGRESS_ALLOW -> "DHCP client traffic or ICMPv6, always allowed out of a port";
            case EGRESS_DROP -> "a DHCP server reply or router advertisement from a VM, which no rule may allow";
            case ANTI_SPOOF -> allowed ? "an allowed (IP, MAC) pair of the port"
                    : "anti-spoofing: the source IP and MAC are not an allowed pair of the port";
            case INVALID_DROP -> "INVALID (conntrack has no entry for it) and no rule allows it";
            case FALLBACK -> "no rule of the port's security groups allows it (everything else is dropped)";
            case PORT_SECURITY_DISABLED -> "port security is disabled on the port: everything passes";
            case TRUSTED -> "a trusted port (device owner network:*): everything passes";
            case CONNTRACK -> "conntrack zone or NOTRACK";
            case PORT_DISPATCH -> "the jump to the port's chains";
            case SKELETON -> allowed ? "accepted once no port chain stopped it" : "Neutron's skeleton";
            case FOREIGN -> "a rule Tapguard did not write";
        };
    }

    private String describeRule(Provenance p) {
        if (view == null || p.securityGroupId() == null) {
            return "";
        }
        var g = view.group(p.securityGroupId());
        if (g == null) {
            return "";
        }
        for (var rule : g.rules()) {
            if (rule.id() != null && rule.id().equals(p.securityGroupRuleId())) {
                return " (" + dev.tapguard.model.lint.SecurityGroupLinter.describe(rule) + ")";
            }
        }
        return "";
    }

    static String action(Verdict v) {
        if (v == null) {
            return "continue (counting rule)";
        }
        return switch (v) {
            case Verdict.Accept a -> "ACCEPT";
            case Verdict.Drop d -> "DROP";
            case Verdict.Reject r -> "REJECT";
            case Verdict.Return r -> "RETURN";
            case Verdict.Jump j -> "jump " + j.chain();
            case Verdict.Goto g -> "goto " + g.chain();
            case Verdict.CtZone z -> "conntrack zone " + z.zone();
            case Verdict.CtNotrack n -> "NOTRACK";
            case Verdict.SetMark m -> "set mark";
            case Verdict.Log l -> "LOG, continue";
            case Verdict.Nflog l -> "NFLOG, continue";
            case Verdict.Other o -> o.text().substring(Math.min(3, o.text().length()));
        };
    }

    /** The protocol in words: "4 (ipip)", "94 (ipip in /etc/protocols: BEET)"... */
    static String protocolWords(int n) {
        String neutron = Protocols.NEUTRON_NAME_BY_NUMBER.get(n);
        String deb = Protocols.debianName(n);
        if (n == 94) {
            return "94 (BEET; /etc/protocols calls it ipip)";
        }
        if (neutron != null && !neutron.equals("ip")) {
            return n + " (" + neutron + ")";
        }
        if (deb != null) {
            return n + " (" + deb + ")";
        }
        return String.valueOf(n);
    }

    static OptionalInt portProtocol(int proto) {
        return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136 ? OptionalInt.of(proto)
                : OptionalInt.empty();
    }
}
