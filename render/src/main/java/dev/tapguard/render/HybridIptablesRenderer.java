package dev.tapguard.render;

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
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.Match;
import dev.tapguard.netfilter.Provenance;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.Ruleset;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import dev.tapguard.netfilter.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure core: the ports of one host and their groups, to the netfilter state that Neutron's
 * {@code OVSHybridIptablesFirewallDriver} leaves in the kernel (filter and raw tables, IPv4 and IPv6, plus the
 * ipsets), line for line, except where {@code NEUTRON_IPTABLES.md} section 11 says Neutron is wrong. Every rule
 * carries its provenance.
 */
public final class HybridIptablesRenderer {
    private HybridIptablesRenderer() {
    }

    public static RenderResult render(HostView view, RenderOptions options) {
        return render(view, options, KernelState.FRESH);
    }

    public static RenderResult render(HostView view, RenderOptions options, KernelState current) {
        return new Run(view, options, current, null, false).render().result();
    }

    /**
     * The same result as {@link #render(HostView, RenderOptions, KernelState)}, reusing what the render before it
     * ({@code previous}, null for none) computed from equal inputs: a port whose record, names and zone are the same,
     * with the same groups and ipset names, keeps its rule and chain objects. The agent renders every cycle this
     * way, so one port's change costs O(that port) here plus a few O(ports) passes of map lookups.
     */
    public static Rendered render(HostView view, RenderOptions options, KernelState current, RenderMemo previous) {
        return new Run(view, options, current, previous, true).render();
    }

    /** A rule with Neutron's comment placed before the verdict, or without it when comments are off. */
    static Rule commented(boolean comments, Verdict v, String comment, Provenance prov, Match... matches) {
        if (!comments) {
            return Rule.of(List.of(matches), v, prov);
        }
        Match[] m = java.util.Arrays.copyOf(matches, matches.length + 1);
        m[matches.length] = new Match.Comment(comment);
        return Rule.of(List.of(m), v, prov);
    }

    /** The state of one render. */
    private static final class Run {
        private final HostView view;
        private final RenderOptions opt;
        private final KernelState current;
        private final String wrap;
        private final List<Deviation> deviations = new ArrayList<>();
        private final Set<Deviation> deviationKeys = new HashSet<>();

        private final List<Port> trusted = new ArrayList<>();
        private final List<Port> unfiltered = new ArrayList<>();
        private final List<Port> filtered = new ArrayList<>();
        /** Rule dicts per group, as the server shim hands them over (identical dicts merged). */
        private final Map<String, List<FirewallRule>> groupRules = new HashMap<>();
        /** (group, ethertype) pairs that some rule references, with their members in member order. */
        private final Map<String, Map<Ethertype, List<String>>> members = new LinkedHashMap<>();
        private HostNames names;
        private final Map<String, Integer> zones = new LinkedHashMap<>();
        private final Map<String, String> chainPorts;
        /** Rules that are the same text in every port chain, built once. */
        private final FixedRules fixed;
        /** Addresses parsed once per render (and looked up in the previous render's first). */
        private final Map<String, Cidr> cidrs = new java.util.concurrent.ConcurrentHashMap<>();
        /** Translated group rules, shared by every port with the same groups (ipset mode). */
        private final Map<List<Object>, RenderMemo.Translated> translatedCache =
                new java.util.concurrent.ConcurrentHashMap<>();
        /** The previous render's pieces, or null. */
        private final RenderMemo prev;
        /** Ports whose pieces of the previous render are reused as they are. */
        private final Map<String, RenderMemo.PortPiece> reused;
        /** Pieces built by this render: family-independent part (here), chains per family (family threads). */
        private final Map<String, List<Deviation>> portDeviations = new HashMap<>();
        private final Map<Family, Map<String, RenderMemo.FamilyChains>> familyChains = new EnumMap<>(Family.class);
        private final Map<String, RenderMemo.Members> memberPieces = new HashMap<>();
        private final Map<String, RenderMemo.SetPiece> setPieces = new HashMap<>();
        private Map<String, Integer> recovered;
        private Map<String, Integer> seeded;
        private final Map<List<Rule>, RenderMemo.ChainZones> recoveredByChain = new java.util.IdentityHashMap<>();
        private final Map<List<Rule>, RenderMemo.ChainZones> seededByChain = new java.util.IdentityHashMap<>();
        private final Map<String, RenderMemo.ZoneNote> zoneNotes = new HashMap<>();
        private List<String> portIds;
        private List<String> nameGroups;
        private boolean parsedNew;

        private final boolean wantMemo;

        Run(HostView view, RenderOptions opt, KernelState current, RenderMemo prev, boolean wantMemo) {
            this.view = view;
            this.wantMemo = wantMemo;
            int n = view.ports().size();
            this.chainPorts = new HashMap<>(n * 4 + 16);
            this.reused = new HashMap<>(n * 2 + 16);
            this.portRules = new HashMap<>(n * 2 + 16);
            this.opt = opt;
            this.current = current == null ? KernelState.FRESH : current;
            this.wrap = opt.wrapName();
            this.prev = prev != null && prev.options.equals(opt) ? prev : null;
            this.fixed = this.prev != null ? this.prev.fixed : new FixedRules(opt);
            for (Family f : Family.values()) {
                familyChains.put(f, new java.util.concurrent.ConcurrentHashMap<>());
            }
        }

        private Cidr cidr(String ip) {
            Cidr c = cidrs.get(ip);
            if (c == null) {
                c = prev == null ? null : prev.cidrs.get(ip);
                if (c == null) {
                    c = Cidr.parse(ip);
                    parsedNew = true;
                }
                cidrs.put(ip, c);
            }
            return c;
        }

        Rendered render() {
            classifyPorts();
            collectGroupRules();
            collectMembers();
            portIds = new ArrayList<>(view.ports().size());
            view.ports().forEach(p -> portIds.add(p.id()));
            nameGroups = new ArrayList<>(members.keySet());
            names = prev != null && prev.portIds.equals(portIds) && prev.nameGroups.equals(nameGroups) ? prev.names
                    : HostNames.of(portIds, members.keySet(), prev == null ? null : prev.names);
            for (String c : names.collisions()) {
                deviate(4, Deviation.NAMES, c);
            }
            allocateZones();
            findReusable();

            // what both families share is built first; then the two families render on two threads
            for (Port p : view.ports()) {
                portRules(p);
            }
            java.util.concurrent.CompletableFuture<List<Table>> v6 = opt.ipv6Enabled()
                    ? java.util.concurrent.CompletableFuture.supplyAsync(() -> family(Family.IPV6))
                    : java.util.concurrent.CompletableFuture.completedFuture(current.dump(Family.IPV6).tables());
            Map<Family, List<Table>> tables = new EnumMap<>(Family.class);
            tables.put(Family.IPV4, family(Family.IPV4));
            try {
                tables.put(Family.IPV6, v6.join());
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
            deviations.sort(java.util.Comparator.comparingInt(Deviation::section).thenComparing(Deviation::detail));
            Ruleset ruleset = new Ruleset(tables, ipsets(), chainPorts);
            List<String> trustedIds = trusted.stream().map(Port::id).toList();
            RenderResult result = new RenderResult(ruleset, zones, trustedIds, deviations);
            return new Rendered(result, wantMemo ? memo() : null);
        }

        /**
         * Ports whose previous pieces stay valid: ipset mode (group rules do not depend on members), the same
         * groups, the same ipset names, and the same port record, names and zone.
         */
        private void findReusable() {
            if (prev == null || !opt.enableIpset() || !prev.groups.equals(view.securityGroups())
                    || !sameIpsetNames()) {
                return;
            }
            translatedCache.putAll(prev.translated);
            for (Port p : view.ports()) {
                RenderMemo.PortPiece piece = prev.ports.get(p.id());
                PortNames n = names.port(p.id());
                if (piece != null && (piece.port() == p || piece.port().equals(p))
                        && (piece.names() == n || piece.names().equals(n))
                        && java.util.Objects.equals(piece.zone(), zones.get(p.id()))) {
                    reused.put(p.id(), piece);
                }
            }
        }

        private boolean sameIpsetNames() {
            if (prev.names == names) {
                return true;
            }
            for (String gid : members.keySet()) {
                for (Ethertype e : Ethertype.values()) {
                    if (!prev.names.ipset(gid, e.name()).equals(names.ipset(gid, e.name()))) {
                        return false;
                    }
                }
            }
            return prev.nameGroups.equals(nameGroups);
        }

        /** This render's pieces, for the next one. */
        private RenderMemo memo() {
            Map<String, RenderMemo.PortPiece> ports = new HashMap<>(view.ports().size() * 2);
            for (Port p : view.ports()) {
                RenderMemo.PortPiece old = reused.get(p.id());
                if (old != null) {
                    ports.put(p.id(), old);
                    continue;
                }
                PortRules pr = portRules.get(p.id());
                ports.put(p.id(), new RenderMemo.PortPiece(p, names.port(p.id()), zones.get(p.id()), pr,
                        List.copyOf(portDeviations.getOrDefault(p.id(), List.of())),
                        familyChains.get(Family.IPV4).get(p.id()), familyChains.get(Family.IPV6).get(p.id())));
            }
            Map<String, Cidr> keepCidrs;
            if (prev != null && !parsedNew) {
                keepCidrs = prev.cidrs;
            } else {
                Map<String, Cidr> m = prev == null ? new HashMap<>() : new HashMap<>(prev.cidrs);
                m.putAll(cidrs);
                keepCidrs = m.size() > 2 * cidrs.size() + 4096 ? new HashMap<>(cidrs) : m;
            }
            // only the group lists ports use now, so the memo does not grow with past ones
            Map<List<Object>, RenderMemo.Translated> translated = new HashMap<>();
            Set<List<String>> groupLists = new HashSet<>();
            view.ports().forEach(p -> groupLists.add(p.securityGroups()));
            for (List<String> gl : groupLists) {
                for (Family f : Family.values()) {
                    for (Direction d : Direction.values()) {
                        List<Object> key = List.of(f, d, gl);
                        RenderMemo.Translated t = translatedCache.get(key);
                        if (t != null) {
                            translated.put(key, t);
                        }
                    }
                }
            }
            return new RenderMemo(opt, fixed, view.securityGroups(), List.copyOf(portIds), List.copyOf(nameGroups),
                    names, current, recovered, seeded, java.util.Collections.unmodifiableMap(recoveredByChain),
                    java.util.Collections.unmodifiableMap(seededByChain),
                    java.util.Collections.unmodifiableMap(zoneNotes),
                    java.util.Collections.unmodifiableMap(keepCidrs),
                    java.util.Collections.unmodifiableMap(new HashMap<>(memberPieces)),
                    java.util.Collections.unmodifiableMap(translated), java.util.Collections.unmodifiableMap(ports),
                    java.util.Collections.unmodifiableMap(new HashMap<>(setPieces)));
        }

        private List<Table> family(Family f) {
            SaveDump dump = current.dump(f);
            TableBuilder filter = new TableBuilder("filter", wrap);
            TableBuilder raw = new TableBuilder("raw", wrap);
            buildFamily(f, filter, raw);
            List<Table> out = new ArrayList<>();
            out.add(raw.build(dump.table("raw")));
            out.add(filter.build(dump.table("filter")));
            for (Table t : dump.tables()) {
                if (!t.name().equals("raw") && !t.name().equals("filter")) {
                    out.add(t);
                }
            }
            return out;
        }

        private void deviate(int section, String name, String detail) {
            deviate(new Deviation(section, name, detail));
        }

        private synchronized void deviate(Deviation d) {
            if (deviationKeys.add(d)) {
                deviations.add(d);
            }
        }

        // ---------------------------------------------------------------- input, as the server shim builds it

        private void classifyPorts() {
            for (Port p : view.ports()) {
                if (p.trusted()) {
                    trusted.add(p);
                } else if (!p.portSecurity()) {
                    unfiltered.add(p);
                } else {
                    filtered.add(p);
                }
            }
            filtered.sort((a, b) -> a.id().compareTo(b.id()));
        }

        private void collectGroupRules() {
            Set<String> used = new LinkedHashSet<>();
            for (Port p : view.ports()) {
                if (!p.trusted()) {
                    used.addAll(p.securityGroups());
                }
            }
            for (String gid : used) {
                SecurityGroup g = view.group(gid);
                List<FirewallRule> rules = new ArrayList<>();
                if (g != null) {
                    Set<Object> seen = new HashSet<>();
                    for (SecurityGroupRule r : g.rules()) {
                        FirewallRule fr = toFirewallRule(r, g);
                        if (seen.add(fr.key())) {
                            rules.add(fr);
                        }
                    }
                }
                groupRules.put(gid, rules);
            }
        }

        private static FirewallRule toFirewallRule(SecurityGroupRule r, SecurityGroup g) {
            String prefix = null;
            String remoteGroup = null;
            if (r.remote() instanceof Remote.IpPrefix p) {
                prefix = p.normalizedCidr() != null ? p.normalizedCidr() : p.remoteIpPrefix();
            } else if (r.remote() instanceof Remote.Group rg) {
                remoteGroup = rg.remoteGroupId();
            } else if (r.remote() instanceof Remote.AddressGroup ag) {
                // Neutron's iptables driver ignores address groups (the rule then allows everyone);
                // Tapguard matches their addresses through a set, like a remote group.
                remoteGroup = ag.remoteAddressGroupId();
            }
            String protocol = r.protocol();
            Provenance prov = new Provenance(null, g.id(), r.id(), Role.SECURITY_GROUP_RULE);
            boolean ingress = r.direction() == Direction.INGRESS;
            return new FirewallRule(r.direction(), r.ethertype(), protocol, r.portRangeMin(), r.portRangeMax(),
                    null, null, ingress ? prefix : null, ingress ? null : prefix, remoteGroup, g.stateful(), prov);
        }

        private void collectMembers() {
            for (Map.Entry<String, List<FirewallRule>> e : groupRules.entrySet()) {
                for (FirewallRule r : e.getValue()) {
                    if (r.remoteGroupId() != null) {
                        members.computeIfAbsent(r.remoteGroupId(), k -> new EnumMap<>(Ethertype.class))
                                .computeIfAbsent(r.ethertype(), k -> new ArrayList<>());
                    }
                }
            }
            for (Map.Entry<String, Map<Ethertype, List<String>>> e : members.entrySet()) {
                List<String> given = view.membersOf(e.getKey());
                RenderMemo.Members old = prev == null ? null : prev.members.get(e.getKey());
                if (old != null && old.sorted().keySet().equals(e.getValue().keySet()) && old.given().equals(given)) {
                    e.setValue(old.sorted());
                    memberPieces.put(e.getKey(), old);
                    continue;
                }
                List<Cidr> parsed = new ArrayList<>();
                Map<Cidr, String> written = new HashMap<>();
                for (String m : given) {
                    Cidr c = cidr(m);
                    if (e.getValue().containsKey(c.ethertype()) && !written.containsKey(c)) {
                        parsed.add(c);
                        written.put(c, m);
                    }
                }
                parsed.sort(Cidr.MEMBER_ORDER);
                for (Cidr c : parsed) {
                    e.getValue().get(c.ethertype()).add(written.get(c));
                }
                Map<Ethertype, List<String>> sorted = new EnumMap<>(Ethertype.class);
                e.getValue().forEach((eth, list) -> sorted.put(eth, List.copyOf(list)));
                Map<Ethertype, List<String>> frozen = java.util.Collections.unmodifiableMap(sorted);
                e.setValue(frozen);
                memberPieces.put(e.getKey(), new RenderMemo.Members(List.copyOf(given), frozen));
            }
        }

        private List<IpSet> ipsets() {
            if (!opt.enableIpset()) {
                return List.of();
            }
            TreeMap<String, IpSet> sets = new TreeMap<>();
            members.forEach((gid, byFamily) -> byFamily.forEach((eth, list) -> {
                String name = names.ipset(gid, eth.name());
                RenderMemo.SetPiece old = prev == null ? null : prev.ipsets.get(name);
                if (old != null && old.from() == list) {
                    sets.put(name, old.set());
                    setPieces.put(name, old);
                    return;
                }
                LinkedHashSet<String> entries = new LinkedHashSet<>();
                for (String m : list) {
                    Cidr c = cidr(m);
                    if (c.isAny()) {
                        // ipset has no /0: two halves
                        if (eth == Ethertype.IPv4) {
                            entries.add("0.0.0.0/1");
                            entries.add("128.0.0.0/1");
                        } else {
                            entries.add("::/1");
                            entries.add("8000::/1");
                        }
                    } else {
                        entries.add(c.text());
                    }
                }
                IpSet set = new IpSet(name, eth, new ArrayList<>(entries));
                sets.put(name, set);
                setPieces.put(name, new RenderMemo.SetPiece(list, set));
            }));
            return new ArrayList<>(sets.values());
        }

        // ---------------------------------------------------------------- conntrack zones and statefulness

        private void allocateZones() {
            // what the kernel state says depends on it and on the port ids only: the same objects, the same zones
            if (prev != null && prev.current == current && prev.portIds.equals(portIds)) {
                recovered = prev.recovered;
                seeded = prev.seeded;
                recoveredByChain.putAll(prev.recoveredByChain);
                seededByChain.putAll(prev.seededByChain);
            } else {
                recovered = java.util.Collections.unmodifiableMap(recoveredZones());
                seeded = java.util.Collections.unmodifiableMap(neutronSeededZones());
            }
            Set<String> present = new HashSet<>();
            filtered.forEach(p -> present.add(p.id()));
            ZoneAllocator ours = new ZoneAllocator(recovered, present);
            ZoneAllocator neutrons = new ZoneAllocator(seeded, present);
            for (Port p : filtered) {
                int z = ours.zoneOf(p.id());
                zones.put(p.id(), z);
                int nz = neutrons.zoneOf(neutronZoneKey(p.id()));
                if (nz != z) {
                    RenderMemo.ZoneNote note = prev == null ? null : prev.zoneNotes.get(p.id());
                    if (note == null || note.zone() != z || note.neutronZone() != nz) {
                        note = new RenderMemo.ZoneNote(z, nz, new Deviation(2, Deviation.ZONES, "port " + p.id()
                                + " keeps conntrack zone " + z + " (Neutron would move it to zone " + nz
                                + " after an agent restart)"));
                    }
                    zoneNotes.put(p.id(), note);
                    deviate(note.deviation());
                }
            }
        }

        /** Zones Tapguard wrote earlier, keyed by the port id in the rule's comment or its device name. */
        private Map<String, Integer> recoveredZones() {
            Map<String, String> byDevice = null;
            Map<String, Integer> out = new HashMap<>();
            for (Family f : Family.values()) {
                Table raw = current.dump(f).table("raw");
                if (raw == null) {
                    continue;
                }
                for (dev.tapguard.netfilter.Chain c : raw.chains()) {
                    // Neutron's chain, or its buckets when the dispatch rules are bucketed
                    if (!c.name().equals(wrap + "-PREROUTING")
                            && !(c.name().startsWith(wrap + "-PRE-") && DispatchBuckets.isBucket(c.name()))) {
                        continue;
                    }
                    // what the comments say depends on the rules only: kept per rule list across renders
                    RenderMemo.ChainZones known = prev == null ? null : prev.recoveredByChain.get(c.rules());
                    if (known == null) {
                        known = commentZones(c.rules());
                    }
                    if (known != null) {
                        recoveredByChain.put(c.rules(), known);
                        known.putIfAbsent(out);
                        continue;
                    }
                    if (byDevice == null) {
                        byDevice = new HashMap<>();
                        for (Port p : view.ports()) {
                            PortNames n = HostNames.neutron(p.id());
                            byDevice.put(n.tap(), p.id());
                            byDevice.put(n.qvb(), p.id());
                        }
                    }
                    for (Rule r : c.rules()) {
                        if (!(r.verdict() instanceof Verdict.CtZone zone)) {
                            continue;
                        }
                        String comment = r.comment();
                        String port = null;
                        if (comment != null && comment.startsWith("Set zone for ")) {
                            port = comment.substring("Set zone for ".length());
                        } else {
                            for (Match m : r.matches()) {
                                if (m instanceof Match.Physdev pd && pd.physdevIn() != null) {
                                    port = byDevice.get(pd.physdevIn());
                                }
                            }
                        }
                        if (port != null) {
                            out.putIfAbsent(port, zone.zone());
                        }
                    }
                }
            }
            return out;
        }

        /** Port and zone of each CT zone rule, from its comment; null if one has none (device names decide). */
        private static RenderMemo.ChainZones commentZones(List<Rule> rules) {
            List<String> ports = new ArrayList<>();
            List<Integer> zs = new ArrayList<>();
            for (Rule r : rules) {
                if (!(r.verdict() instanceof Verdict.CtZone zone)) {
                    continue;
                }
                String comment = r.comment();
                if (comment == null || !comment.startsWith("Set zone for ")) {
                    return null;
                }
                ports.add(comment.substring("Set zone for ".length()));
                zs.add(zone.zone());
            }
            return new RenderMemo.ChainZones(List.copyOf(ports), List.copyOf(zs));
        }

        /** What Neutron seeds its zone map with: device name minus its 3-letter prefix (never a runtime key). */
        private Map<String, Integer> neutronSeededZones() {
            Map<String, Integer> out = new HashMap<>();
            Table raw = current.dump(Family.IPV4).table("raw");
            if (raw == null) {
                return out;
            }
            for (dev.tapguard.netfilter.Chain c : raw.chains()) {
                RenderMemo.ChainZones known = prev == null ? null : prev.seededByChain.get(c.rules());
                if (known == null) {
                    List<String> keys = new ArrayList<>();
                    List<Integer> zs = new ArrayList<>();
                    for (Rule r : c.rules()) {
                        if (r.verdict() instanceof Verdict.CtZone zone) {
                            for (Match m : r.matches()) {
                                if (m instanceof Match.Physdev pd && pd.physdevIn() != null
                                        && pd.physdevIn().length() > 3) {
                                    keys.add("seed:" + pd.physdevIn().substring(3));
                                    zs.add(zone.zone());
                                }
                            }
                        }
                    }
                    known = new RenderMemo.ChainZones(List.copyOf(keys), List.copyOf(zs));
                }
                seededByChain.put(c.rules(), known);
                known.put(out);
            }
            return out;
        }

        private static String neutronZoneKey(String portId) {
            return portId.length() <= 3 ? portId : portId.substring(3, Math.min(14, portId.length()));
        }

        /** Tapguard: the groups decide (section 11.3). */
        private boolean stateless(Port p) {
            if (p.alwaysStateful() || p.securityGroups().isEmpty()) {
                return false;
            }
            SecurityGroup first = view.group(p.securityGroups().get(0));
            return first != null && !first.stateful();
        }

        /** Neutron: the stateful flag of the first (expanded) rule of the first group; no rule = stateful. */
        private boolean neutronStateless(Port p) {
            if (p.alwaysStateful() || p.securityGroups().isEmpty()) {
                return false;
            }
            for (FirewallRule r : groupRules.getOrDefault(p.securityGroups().get(0), List.of())) {
                if (opt.enableIpset() || r.remoteGroupId() == null || !expand(r, p).isEmpty()) {
                    return !r.stateful();
                }
            }
            return false;
        }

        // ---------------------------------------------------------------- tables

        private void buildFamily(Family f, TableBuilder filter, TableBuilder raw) {
            for (String b : Table.BUILTIN_CHAINS.get("filter")) {
                filter.chain(b);
            }
            for (String b : Table.BUILTIN_CHAINS.get("raw")) {
                raw.chain(b);
            }
            String fwd = filter.wrapped("FORWARD");
            String input = filter.wrapped("INPUT");
            String sgChain = filter.wrapped("sg-chain");
            for (String c : List.of("FORWARD", "INPUT", "OUTPUT", "local", "sg-chain", "sg-fallback")) {
                filter.chain(filter.wrapped(c));
            }
            filter.chain("neutron-filter-top");
            filter.distinctRules(fwd);
            filter.distinctRules(sgChain);
            filter.distinctRules(input);
            raw.distinctRules(raw.wrapped("PREROUTING"));
            filter.addTop("FORWARD", fixed.jumpFilterTop);
            filter.add("FORWARD", fixed.jumpForward);
            filter.add("INPUT", fixed.jumpInput);
            filter.addTop("OUTPUT", fixed.jumpFilterTop);
            filter.add("OUTPUT", fixed.jumpOutput);
            filter.add("neutron-filter-top", fixed.jumpLocal);
            filter.add(filter.wrapped("sg-fallback"), fixed.fallbackDrop);
            raw.chain(raw.wrapped("OUTPUT"));
            raw.add("OUTPUT", fixed.rawJumpOutput);
            raw.chain(raw.wrapped("PREROUTING"));
            raw.add("PREROUTING", fixed.rawJumpPrerouting);

            // trusted ports come first among the bottom FORWARD rules (added inside the defer block)
            Dispatch d = new Dispatch(filter, raw);
            for (Port p : trusted) {
                PortRules pr = portRules(p);
                filter.add(d.fwd(pr), pr.acceptToVm());
                filter.add(d.fwd(pr), pr.acceptFromVm());
            }
            Map<String, RenderMemo.FamilyChains> built = familyChains.get(f);
            for (Port p : filtered) {
                PortRules pr = portRules(p);
                for (Rule r : pr.conntrack()) {
                    raw.add(d.pre(pr), r);
                }
                RenderMemo.PortPiece old = reused.get(p.id());
                RenderMemo.FamilyChains fc;
                if (old != null) {
                    fc = old.chains(f);
                    fc.deviations().forEach(this::deviate);
                } else {
                    fc = portChains(f, p, pr);
                    built.put(p.id(), fc);
                }
                filter.chainFinal(fc.in());
                filter.addTop(d.fwd(pr), pr.toSgChainToVm());
                filter.add(d.sg(pr), pr.toInChain());
                filter.chainFinal(fc.out());
                filter.addTop(d.fwd(pr), pr.toSgChainFromVm());
                filter.add(d.sg(pr), pr.toOutChain());
                filter.add(d.input(pr), pr.inputToOutChain());
                if (fc.spoof() != null) {
                    filter.chainFinal(fc.spoof());
                }
            }
            if (opt.dispatchBuckets() == 0) {
                filter.add(sgChain, fixed.sgChainAccept);
            }
            for (Port p : unfiltered) {
                PortRules pr = portRules(p);
                filter.add(d.fwd(pr), pr.acceptToVm());
                filter.add(d.fwd(pr), pr.acceptFromVm());
                filter.add(d.input(pr), pr.inputAccept());
            }
            d.finish();
        }

        /**
         * Where dispatch rules go: Neutron's shared chains, or their buckets ({@link DispatchBuckets}); at the end
         * each shared chain gets the jumps to its non-empty buckets, in bucket order, and sg-chain its final ACCEPT.
         */
        private final class Dispatch {
            private final TableBuilder filter;
            private final TableBuilder raw;
            private final int n = opt.dispatchBuckets();
            /** Per shared chain (FWD, INP, SGC, PRE) the buckets used. */
            private final boolean[][] used = new boolean[4][Math.max(n, 1)];
            private final String[][] bucketNames = new String[4][Math.max(n, 1)];

            Dispatch(TableBuilder filter, TableBuilder raw) {
                this.filter = filter;
                this.raw = raw;
            }

            String fwd(PortRules pr) {
                return n == 0 ? wrap + "-FORWARD" : bucket(0, pr.bucket());
            }

            String input(PortRules pr) {
                return n == 0 ? wrap + "-INPUT" : bucket(1, pr.bucket());
            }

            String sg(PortRules pr) {
                return n == 0 ? wrap + "-sg-chain" : bucket(2, pr.bucket());
            }

            String pre(PortRules pr) {
                return n == 0 ? wrap + "-PREROUTING" : bucket(3, pr.bucket());
            }

            private String bucket(int chain, int b) {
                String name = bucketNames[chain][b];
                if (name == null) {
                    name = fixed.bucketName(chain, b);
                    bucketNames[chain][b] = name;
                    used[chain][b] = true;
                }
                return name;
            }

            void finish() {
                if (n == 0) {
                    return;
                }
                String[] parents = {wrap + "-FORWARD", wrap + "-INPUT", wrap + "-sg-chain", wrap + "-PREROUTING"};
                for (int c = 0; c < 4; c++) {
                    TableBuilder t = c == 3 ? raw : filter;
                    for (int b = 0; b < n; b++) {
                        if (used[c][b]) {
                            t.chain(bucketNames[c][b]);
                            t.distinctRules(bucketNames[c][b]);
                            t.add(parents[c], fixed.bucketJump(c, b));
                        }
                    }
                }
                filter.add(parents[2], fixed.sgChainAccept);
            }
        }

        private Rule commented(Verdict v, String comment, Provenance prov, Match... matches) {
            return HybridIptablesRenderer.commented(opt.commentRules(), v, comment, prov, matches);
        }

        /** The rules of one port that are the same text in both families, built once per render. */
        private final Map<String, PortRules> portRules;

        private PortRules portRules(Port p) {
            PortRules r = portRules.get(p.id());
            if (r == null) {
                RenderMemo.PortPiece old = reused.get(p.id());
                if (old != null) {
                    r = old.rules();
                    old.deviations().forEach(this::deviate);
                } else {
                    List<Deviation> devs = new ArrayList<>(1);
                    r = newPortRules(p, devs);
                    if (!devs.isEmpty()) {
                        portDeviations.put(p.id(), devs);
                    }
                }
                if (r.in() != null) {
                    chainPorts.put(r.in(), p.id());
                    chainPorts.put(r.out(), p.id());
                    chainPorts.put(r.spoof(), p.id());
                }
                portRules.put(p.id(), r);
            }
            return r;
        }

        private PortRules newPortRules(Port p, List<Deviation> devs) {
            PortNames n = names.port(p.id());
            int bucket = opt.dispatchBuckets() == 0 ? -1 : DispatchBuckets.of(p.id(), opt.dispatchBuckets());
            Match toVm = new Match.Physdev(null, n.tap(), true, false, false);
            Match fromVm = new Match.Physdev(n.tap(), null, true, false, false);
            String sgChain = wrap + "-sg-chain";
            if (p.trusted()) {
                Provenance prov = Provenance.port(p.id(), Role.TRUSTED);
                return new PortRules(null, null, null, null, null, null, null, null,
                        commented(Verdict.ACCEPT, NeutronComments.TRUSTED_ACCEPT, prov, toVm),
                        commented(Verdict.ACCEPT, NeutronComments.TRUSTED_ACCEPT, prov, fromVm), null, null, List.of(),
                        bucket);
            }
            if (!p.portSecurity()) {
                Provenance prov = Provenance.port(p.id(), Role.PORT_SECURITY_DISABLED);
                Rule fromVmAccept = commented(Verdict.ACCEPT, NeutronComments.PORT_SEC_ACCEPT, prov, fromVm);
                return new PortRules(null, null, null, null, null, null, null, null,
                        commented(Verdict.ACCEPT, NeutronComments.PORT_SEC_ACCEPT, prov, toVm), fromVmAccept,
                        fromVmAccept, null, List.of(), bucket);
            }
            String in = n.chain(wrap, 'i');
            String out = n.chain(wrap, 'o');
            String spoof = n.chain(wrap, 's');
            Provenance dispatch = Provenance.port(p.id(), Role.PORT_DISPATCH);
            return new PortRules(in, out, spoof,
                    commented(new Verdict.Jump(sgChain), NeutronComments.VM_INT_SG, dispatch, toVm),
                    commented(new Verdict.Jump(sgChain), NeutronComments.VM_INT_SG, dispatch, fromVm),
                    commented(new Verdict.Jump(in), NeutronComments.SG_TO_VM_SG, dispatch, toVm),
                    commented(new Verdict.Jump(out), NeutronComments.SG_TO_VM_SG, dispatch, fromVm),
                    commented(new Verdict.Jump(out), NeutronComments.INPUT_TO_SG, dispatch, fromVm),
                    null, null, null,
                    Rule.of(new Verdict.Jump(spoof), Provenance.port(p.id(), Role.ANTI_SPOOF)),
                    conntrackRules(p, n, devs), bucket);
        }

        private List<Rule> conntrackRules(Port p, PortNames n, List<Deviation> devs) {
            boolean ours = stateless(p);
            boolean theirs = neutronStateless(p);
            if (ours != theirs) {
                Deviation d = new Deviation(3, Deviation.STATELESS, "port " + p.id() + " is "
                        + (ours ? "stateless" : "stateful") + " because its group " + p.securityGroups().get(0)
                        + " is; Neutron would make it " + (theirs ? "stateless" : "stateful") + " from its first rule");
                devs.add(d);
                deviate(d);
            }
            String dev = p.id();
            String comment = ours ? "Make " + dev + " stateless" : "Set zone for " + dev;
            Verdict v = ours ? Verdict.NOTRACK : new Verdict.CtZone(zones.get(p.id()));
            Provenance prov = Provenance.port(p.id(), Role.CONNTRACK);
            Match c = new Match.Comment(comment);
            return List.of(Rule.of(v, prov, new Match.Physdev(n.qvb(), null, false, false, false), c),
                    Rule.of(v, prov, new Match.Interface(true, n.qvb(), false), c),
                    Rule.of(v, prov, new Match.Physdev(n.tap(), null, false, false, false), c));
        }

        // ---------------------------------------------------------------- per-port chains

        /** A filtered port's chains in one family, final: duplicates swept as TableBuilder would, immutable. */
        private RenderMemo.FamilyChains portChains(Family f, Port p, PortRules pr) {
            List<Deviation> devs = new ArrayList<>(0);
            List<Rule> in = ingressRules(f, p, devs);
            List<Rule> spoof = spoofRules(f, p);
            List<Rule> out = egressRules(f, p, pr, spoof != null, devs);
            return new RenderMemo.FamilyChains(finalChain(pr.in(), in), finalChain(pr.out(), out),
                    spoof == null ? null : finalChain(pr.spoof(), spoof), List.copyOf(devs));
        }

        private static dev.tapguard.netfilter.Chain finalChain(String name, List<Rule> rules) {
            return new dev.tapguard.netfilter.Chain(name, null, List.copyOf(TableBuilder.keepLast(rules)));
        }

        private List<Rule> ingressRules(Family f, Port p, List<Deviation> devs) {
            List<Rule> out = new ArrayList<>(32);
            if (f == Family.IPV6) {
                out.addAll(fixed.ingressIcmp6);
            }
            sgSection(out, f, p, Direction.INGRESS, providerRules(f, p), devs);
            return out;
        }

        /** The anti-spoof chain's rules, or null when the port has no pair in this family. */
        private List<Rule> spoofRules(Family f, Port p) {
            List<String[]> pairs = spoofPairs(p, f);
            if (pairs.isEmpty()) {
                return null;
            }
            Provenance spoof = Provenance.port(p.id(), Role.ANTI_SPOOF);
            List<Rule> sRules = new ArrayList<>(pairs.size() + 1);
            for (String[] pair : pairs) {
                Match mac = new Match.Mac(pair[0]);
                sRules.add(pair[1] == null
                        ? commented(Verdict.RETURN, NeutronComments.PAIR_ALLOW, spoof, mac)
                        : commented(Verdict.RETURN, NeutronComments.PAIR_ALLOW, spoof,
                                new Match.Address(true, pair[1], false), mac));
            }
            sRules.add(fixed.pairDrop);
            return sRules;
        }

        private List<Rule> egressRules(Family f, Port p, PortRules pr, boolean spoof, List<Deviation> devs) {
            List<Rule> out = new ArrayList<>(32);
            out.addAll(f == Family.IPV4 ? fixed.egressUnspecified4 : fixed.egressUnspecified6);
            if (spoof) {
                out.add(pr.spoofJump());
            }
            out.addAll(f == Family.IPV4 ? fixed.egressAfterSpoof4 : fixed.egressAfterSpoof6);
            sgSection(out, f, p, Direction.EGRESS, List.of(), devs);
            return out;
        }

        /** (MAC in iptables form, source CIDR or null for MAC-only) pairs of the anti-spoof chain of a family. */
        private List<String[]> spoofPairs(Port p, Family f) {
            List<String[]> v4 = new ArrayList<>();
            List<String[]> v6 = new ArrayList<>();
            Set<String> lla = new HashSet<>();
            for (AllowedAddressPair a : p.allowedAddressPairs()) {
                String mac = a.macAddress() == null || a.macAddress().isEmpty() ? p.macAddress() : a.macAddress();
                pair(Eui64.iptablesMac(mac), a.ipAddress(), v4, v6, lla);
            }
            for (String ip : p.fixedIpAddresses()) {
                pair(Eui64.iptablesMac(p.macAddress()), ip, v4, v6, lla);
            }
            if (p.fixedIps().isEmpty()) {
                String mac = p.macAddress().toUpperCase(java.util.Locale.ROOT);
                v4.add(new String[] {mac, null});
                v6.add(new String[] {mac, null});
            }
            return f == Family.IPV4 ? v4 : v6;
        }

        private void pair(String mac, String ip, List<String[]> v4, List<String[]> v6, Set<String> lla) {
            Cidr c = cidr(ip);
            String source = ip.indexOf('/') >= 0 ? ip : c.text();
            if (c.ethertype() == Ethertype.IPv4) {
                v4.add(new String[] {mac, source});
            } else {
                v6.add(new String[] {mac, source});
                String ll = Eui64.linkLocal(mac);
                if (lla.add(mac + "|" + ll)) {
                    v6.add(new String[] {mac, ll + "/128"});
                }
            }
        }

        /** DHCP replies (and router adverts) the server allows into every port, before the group rules. */
        private List<FirewallRule> providerRules(Family f, Port p) {
            List<FirewallRule> out = new ArrayList<>(4);
            Provenance prov = Provenance.port(p.id(), Role.PROVIDER_RULE);
            boolean hasV6 = false;
            for (String ip : p.fixedIpAddresses()) {
                if (cidr(ip).ethertype() == Ethertype.IPv6) {
                    hasV6 = true;
                }
            }
            if (f == Family.IPV6 && hasV6) {
                out.add(new FirewallRule(Direction.INGRESS, Ethertype.IPv6, "ipv6-icmp", null, null, 134, null,
                        null, null, null, true, prov));
            }
            for (String ip : p.fixedIpAddresses()) {
                if (cidr(ip).ethertype() == f.ethertype()) {
                    out.add(f == Family.IPV4 ? dhcp(Ethertype.IPv4, ip + "/32", 68, 67, prov)
                            : dhcp(Ethertype.IPv6, ip + "/128", 546, 547, prov));
                }
            }
            out.add(f == Family.IPV4 ? dhcp(Ethertype.IPv4, "255.255.255.255/32", 68, 67, prov)
                    : dhcp(Ethertype.IPv6, "fe80::/64", 546, 547, prov));
            return out;
        }

        private static FirewallRule dhcp(Ethertype e, String dest, int port, int sport, Provenance prov) {
            return new FirewallRule(Direction.INGRESS, e, "udp", port, port, sport, sport, null, dest, null, true,
                    prov);
        }

        /**
         * Neutron's _convert_sgr_to_iptables_rules: RELATED,ESTABLISHED, the provider and group rules of this family
         * and direction (a text seen before is dropped), INVALID drop, the jump to sg-fallback.
         */
        private void sgSection(List<Rule> out, Family f, Port p, Direction d, List<FirewallRule> provider,
                               List<Deviation> devs) {
            out.add(fixed.allowAssoc);
            RenderMemo.Translated group = groupSection(f, p, d);
            for (Deviation dev : group.deviations()) {
                devs.add(dev);
                deviate(dev);
            }
            if (provider.isEmpty()) {
                out.addAll(group.rules());
            } else {
                Set<String> seen = new HashSet<>();
                for (FirewallRule r : provider) {
                    Rule rule = RuleTranslator.translate(r, null);
                    if (seen.add(rule.text())) {
                        out.add(rule);
                    }
                }
                for (Rule rule : group.rules()) {
                    if (!seen.contains(rule.text())) {
                        out.add(rule);
                    }
                }
            }
            out.add(fixed.invalidDrop);
            out.add(fixed.toFallback);
        }

        /** The translated group rules of a port for one family and direction, deduplicated (first copy wins). */
        private RenderMemo.Translated groupSection(Family f, Port p, Direction d) {
            if (opt.enableIpset()) {
                List<Object> key = List.of(f, d, p.securityGroups());
                RenderMemo.Translated cached = translatedCache.get(key);
                if (cached == null) {
                    cached = translateGroups(f, p, d);
                    translatedCache.put(key, cached);
                }
                return cached;
            }
            return translateGroups(f, p, d);
        }

        private RenderMemo.Translated translateGroups(Family f, Port p, Direction d) {
            List<Rule> out = new ArrayList<>();
            List<Deviation> devs = new ArrayList<>(0);
            Set<String> seen = new HashSet<>();
            for (String gid : p.securityGroups()) {
                for (FirewallRule r : groupRules.getOrDefault(gid, List.of())) {
                    if (r.direction() != d) {
                        continue;
                    }
                    FirewallRule rule = r;
                    if (rule.ethertype() == Ethertype.IPv6
                            && ("icmp".equals(rule.protocol()) || "icmpv6".equals(rule.protocol()))) {
                        rule = rule.withProtocol("ipv6-icmp");
                    }
                    if (rule.ethertype() != f.ethertype()) {
                        continue;
                    }
                    List<FirewallRule> expanded = opt.enableIpset() || rule.remoteGroupId() == null
                            ? List.of(rule) : expand(rule, p);
                    for (FirewallRule e : expanded) {
                        String set = opt.enableIpset() && e.remoteGroupId() != null
                                ? names.ipset(e.remoteGroupId(), e.ethertype().name()) : null;
                        Rule t = RuleTranslator.translate(e, set);
                        if (seen.add(t.text())) {
                            out.add(t);
                            if (RuleTranslator.protocolCorrected(e.protocol())) {
                                devs.add(protocolDeviation(e));
                            }
                        }
                    }
                }
            }
            return new RenderMemo.Translated(List.copyOf(out), List.copyOf(devs));
        }

        private Deviation protocolDeviation(FirewallRule r) {
            int meant = Protocols.number(r.protocol()).orElse(-1);
            String neutron = Protocols.neutronIptablesName(r.protocol());
            return new Deviation(1, Deviation.PROTOCOLS, "rule " + r.provenance().securityGroupRuleId() + " of group "
                    + r.provenance().securityGroupId() + ": protocol '" + r.protocol() + "' is IP protocol "
                    + Protocols.describe(meant) + "; written as -p " + Protocols.kernelName(r.protocol())
                    + " where Neutron writes -p " + neutron + ", which Linux reads as protocol "
                    + Protocols.describe(Protocols.readsAs(neutron)));
        }

        /** Without ipset: one rule per member of the remote group, the port's own fixed IPs left out. */
        private List<FirewallRule> expand(FirewallRule r, Port p) {
            List<String> own = p.fixedIpAddresses();
            List<FirewallRule> out = new ArrayList<>();
            Map<Ethertype, List<String>> m = members.get(r.remoteGroupId());
            for (String ip : m == null ? List.<String>of() : m.getOrDefault(r.ethertype(), List.of())) {
                if (own.contains(ip)) {
                    continue;
                }
                out.add(r.withRemotePrefix(cidr(ip).normalized()));
            }
            return out;
        }
    }
}
