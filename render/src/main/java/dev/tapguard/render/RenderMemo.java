package dev.tapguard.render;

import dev.tapguard.model.Cidr;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.IpSet;
import dev.tapguard.netfilter.Rule;
import java.util.List;
import java.util.Map;

/**
 * What one render computed, keyed by what it was computed from, for the next render of the same host
 * ({@link HybridIptablesRenderer#render(dev.tapguard.model.HostView, RenderOptions, KernelState, RenderMemo)}):
 * each port's rules and chains (valid while the port, its names, its zone, the groups and the ipset names are the
 * same), the translated group rules, the parsed and sorted remote-group members, the ipsets, the zones recovered
 * from the kernel state. Immutable; it holds no reference to the render before it. A piece is reused only when its
 * inputs are equal, so the result is always that of a full render, and unchanged rules are the same objects as last
 * time (the agent compares them by identity).
 */
public final class RenderMemo {
    final RenderOptions options;
    final FixedRules fixed;
    final Map<String, SecurityGroup> groups;
    final List<String> portIds;
    final List<String> nameGroups;
    final HostNames names;
    final KernelState current;
    final Map<String, Integer> recovered;
    final Map<String, Integer> seeded;
    /** Per raw chain's rule list (by identity): what its CT zone rules say. */
    final Map<List<Rule>, ChainZones> recoveredByChain;
    final Map<List<Rule>, ChainZones> seededByChain;
    /** Per port: its zone, Neutron's, and the deviation saying they differ. */
    final Map<String, ZoneNote> zoneNotes;
    final Map<String, Cidr> cidrs;
    final Map<String, Members> members;
    final Map<List<Object>, Translated> translated;
    final Map<String, PortPiece> ports;
    final Map<String, SetPiece> ipsets;

    RenderMemo(RenderOptions options, FixedRules fixed, Map<String, SecurityGroup> groups, List<String> portIds,
               List<String> nameGroups, HostNames names, KernelState current, Map<String, Integer> recovered,
               Map<String, Integer> seeded, Map<List<Rule>, ChainZones> recoveredByChain,
               Map<List<Rule>, ChainZones> seededByChain, Map<String, ZoneNote> zoneNotes, Map<String, Cidr> cidrs,
               Map<String, Members> members,
               Map<List<Object>, Translated> translated, Map<String, PortPiece> ports, Map<String, SetPiece> ipsets) {
        this.options = options;
        this.fixed = fixed;
        this.groups = groups;
        this.portIds = portIds;
        this.nameGroups = nameGroups;
        this.names = names;
        this.current = current;
        this.recovered = recovered;
        this.seeded = seeded;
        this.recoveredByChain = recoveredByChain;
        this.seededByChain = seededByChain;
        this.zoneNotes = zoneNotes;
        this.cidrs = cidrs;
        this.members = members;
        this.translated = translated;
        this.ports = ports;
        this.ipsets = ipsets;
    }

    /** Ports whose pieces this memo holds (tests). */
    public int portCount() {
        return ports.size();
    }

    /** The members of one remote group as given, and sorted per referenced ethertype. */
    record Members(List<String> given, Map<Ethertype, List<String>> sorted) {
    }

    /** Translated group rules of one (family, direction, group list), and the deviations noted while translating. */
    record Translated(List<Rule> rules, List<Deviation> deviations) {
    }

    /** Keys (port ids, or Neutron's seeds) and zones of the CT zone rules of one chain, in rule order. */
    record ChainZones(List<String> keys, List<Integer> zones) {
        void putIfAbsent(Map<String, Integer> out) {
            for (int i = 0; i < keys.size(); i++) {
                out.putIfAbsent(keys.get(i), zones.get(i));
            }
        }

        void put(Map<String, Integer> out) {
            for (int i = 0; i < keys.size(); i++) {
                out.put(keys.get(i), zones.get(i));
            }
        }
    }

    /** A port's zone, the zone Neutron would give it, and the deviation that reports the difference. */
    record ZoneNote(int zone, int neutronZone, Deviation deviation) {
    }

    /** One ipset and the member list it was made from (compared by identity). */
    record SetPiece(List<String> from, IpSet set) {
    }

    /** One port's family-independent rules, its chains per family, and the deviations its rendering noted. */
    record PortPiece(Port port, PortNames names, Integer zone, PortRules rules, List<Deviation> deviations,
                     FamilyChains v4, FamilyChains v6) {
        FamilyChains chains(dev.tapguard.netfilter.Family f) {
            return f == dev.tapguard.netfilter.Family.IPV4 ? v4 : v6;
        }
    }

    /** A filtered port's chains in one family, final (duplicates swept); spoof is null when it has none. */
    record FamilyChains(Chain in, Chain out, Chain spoof, List<Deviation> deviations) {
    }
}
