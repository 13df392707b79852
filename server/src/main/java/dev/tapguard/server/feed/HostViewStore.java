package dev.tapguard.server.feed;

import dev.tapguard.model.HostView;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.NetworkRow;
import dev.tapguard.server.store.NetworkStore;
import dev.tapguard.server.store.PortRow;
import dev.tapguard.server.store.RuleRow;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Reads one host's {@link HostView} from the store: the ports bound there (creation order), their groups with
 * rules, every group those rules name as remote group, and the members of all of them (fixed IPs and allowed
 * address pairs of every port in the group, on any host), tagged with the global revision they were read at.
 */
public final class HostViewStore {
    private final Database db;

    public HostViewStore(Database db) {
        this.db = db;
    }

    /**
     * A consistent view: every write bumps the revision in its own transaction, so a read bracketed by two equal
     * revisions saw no write in between.
     */
    public HostView view(String host) {
        for (int attempt = 0; attempt < 20; attempt++) {
            HostView v = db.read(h -> {
                long before = revision(h);
                HostView view = read(h, host, before);
                return revision(h) == before ? view : null;
            });
            if (v != null) {
                return v;
            }
        }
        // writers keep moving: take a turn between them
        return db.write(tx -> read(tx.handle(), host, tx.revision()));
    }

    private static long revision(Handle h) {
        return h.createQuery("SELECT revision FROM tg_meta WHERE id = 1").mapTo(Long.class).one();
    }

    static HostView read(Handle h, String host, long revision) {
        List<PortRow> local = NetworkStore.portsOnHost(h, host);
        Set<String> used = new LinkedHashSet<>();
        local.forEach(p -> used.addAll(p.securityGroups()));
        Map<String, List<RuleRow>> rules = SecurityGroupStore.rulesOf(h, used);
        Map<String, SecurityGroup> groups = new LinkedHashMap<>();
        Map<String, SecurityGroupRow> rows = new LinkedHashMap<>();
        SecurityGroupStore.groupsByIds(h, used).forEach(g -> rows.put(g.id(), g));
        Set<String> withMembers = new LinkedHashSet<>();
        for (String id : used) {
            SecurityGroupRow g = rows.get(id);
            if (g == null) {
                continue;
            }
            List<SecurityGroupRule> rs = rules.getOrDefault(id, List.of()).stream().map(RuleRow::rule).toList();
            groups.put(id, new SecurityGroup(g.id(), g.name(), g.description(), g.projectId(), g.stateful(), rs));
            withMembers.add(id);
            rs.forEach(r -> {
                if (r.remoteGroupId() != null) {
                    withMembers.add(r.remoteGroupId());
                }
            });
        }
        Map<String, List<String>> members = new LinkedHashMap<>();
        withMembers.forEach(g -> members.put(g, new ArrayList<>()));
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (PortRow p : NetworkStore.portsInGroups(h, withMembers)) {
            for (String g : p.securityGroups()) {
                List<String> m = members.get(g);
                if (m == null) {
                    continue;
                }
                Set<String> s = seen.computeIfAbsent(g, k -> new LinkedHashSet<>());
                p.fixedIps().forEach(ip -> {
                    if (s.add(ip.ipAddress())) {
                        m.add(ip.ipAddress());
                    }
                });
                p.allowedAddressPairs().forEach(a -> {
                    if (s.add(a.ipAddress())) {
                        m.add(a.ipAddress());
                    }
                });
            }
        }
        List<Port> ports = new ArrayList<>();
        Set<String> networkIds = new LinkedHashSet<>();
        for (PortRow p : local) {
            ports.add(new Port(p.id(), p.name(), p.projectId(), p.networkId(), p.macAddress(), p.fixedIps(),
                    p.allowedAddressPairs(), p.portSecurityEnabled(), p.securityGroups(), p.deviceOwner(),
                    p.deviceId(), p.bindingHostId()));
            networkIds.add(p.networkId());
        }
        Map<String, NetworkRow> nets = new LinkedHashMap<>();
        NetworkStore.networksByIds(h, networkIds).forEach(n -> nets.put(n.id(), n));
        List<Network> networks = new ArrayList<>();
        for (String id : networkIds) {
            NetworkRow n = nets.get(id);
            if (n != null) {
                networks.add(new Network(n.id(), n.name(), n.projectId(), n.adminStateUp(), n.networkType(),
                        n.physicalNetwork(), n.segmentationId()));
            }
        }
        return new HostView(host, revision, ports, groups, members, networks);
    }
}
