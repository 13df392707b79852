package dev.tapguard.agent.firewall;

import dev.tapguard.netfilter.Chain;
import dev.tapguard.netfilter.Family;
import dev.tapguard.netfilter.IptablesSaveParser;
import dev.tapguard.netfilter.Rule;
import dev.tapguard.netfilter.SaveDump;
import dev.tapguard.netfilter.Table;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: Tapguard's part of what {@code iptables-save}, {@code ip6tables-save} and {@code ipset save} print. Only
 * our chains and jumps are taken; foreign rules are never parsed into the state (the dump parser keeps them as
 * opaque text and they are dropped here).
 */
public final class SavedState {
    private SavedState() {
    }

    public static FirewallState parse(Ownership own, Map<Family, String> saves, String ipsetSave) {
        Map<Family, Map<String, TableState>> tables = new EnumMap<>(Family.class);
        saves.forEach((f, text) -> tables.put(f, tables(own, text == null ? "" : text)));
        return new FirewallState(tables, ipsets(own, ipsetSave == null ? "" : ipsetSave));
    }

    static Map<String, TableState> tables(Ownership own, String saveText) {
        SaveDump dump = IptablesSaveParser.parse(saveText);
        Map<String, TableState> out = new LinkedHashMap<>();
        for (String tn : FirewallState.TABLES) {
            Table t = dump.table(tn);
            Map<String, List<OwnedRule>> chains = new LinkedHashMap<>();
            Map<String, List<OwnedRule>> hooks = new LinkedHashMap<>();
            Set<String> notOnTop = new HashSet<>();
            if (t != null) {
                for (Chain c : t.chains()) {
                    if (own.ownsChain(c.name())) {
                        List<OwnedRule> rules = new ArrayList<>(c.rules().size());
                        for (Rule r : c.rules()) {
                            rules.add(OwnedRule.of(r));
                        }
                        chains.put(c.name(), rules);
                    } else if (c.builtin()) {
                        List<OwnedRule> ours = new ArrayList<>();
                        boolean foreignSeen = false;
                        for (Rule r : c.rules()) {
                            if (own.ownsHook(r)) {
                                ours.add(OwnedRule.of(r));
                                if (foreignSeen) {
                                    notOnTop.add(c.name());
                                }
                            } else {
                                foreignSeen = true;
                            }
                        }
                        if (!ours.isEmpty()) {
                            hooks.put(c.name(), ours);
                        }
                    }
                }
            }
            out.put(tn, new TableState(tn, chains, hooks, notOnTop));
        }
        return out;
    }

    static Map<String, IpSetState> ipsets(Ownership own, String text) {
        Map<String, String> family = new LinkedHashMap<>();
        Map<String, Set<String>> members = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length >= 2 && w[0].equals("create") && own.ownsIpset(w[1])) {
                String fam = "inet";
                for (int i = 2; i + 1 < w.length; i++) {
                    if (w[i].equals("family")) {
                        fam = w[i + 1];
                    }
                }
                family.put(w[1], fam);
                members.computeIfAbsent(w[1], k -> new LinkedHashSet<>());
            } else if (w.length >= 3 && w[0].equals("add") && family.containsKey(w[1])) {
                members.get(w[1]).add(IpSetMembers.key(w[2]));
            }
        }
        Map<String, IpSetState> out = new LinkedHashMap<>();
        family.forEach((name, fam) -> out.put(name, new IpSetState(name, fam, members.get(name))));
        return out;
    }
}
