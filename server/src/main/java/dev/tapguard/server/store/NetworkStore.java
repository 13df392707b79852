package dev.tapguard.server.store;

import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.FixedIp;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Networks, subnets, ports and their addresses, in SQL. */
public final class NetworkStore {
    private NetworkStore() {
    }

    // ------------------------------------------------------------------ networks

    public static Optional<NetworkRow> network(Handle h, String id) {
        return h.createQuery("SELECT * FROM networks WHERE id = :id").bind("id", id).map(NetworkStore::network)
                .findOne();
    }

    /** Every network (project null), or a project's own plus shared and external ones. */
    public static List<NetworkRow> networks(Handle h, String visibleTo) {
        if (visibleTo == null) {
            return h.createQuery("SELECT * FROM networks ORDER BY id").map(NetworkStore::network).list();
        }
        return h.createQuery("SELECT * FROM networks WHERE project_id = :p OR shared = TRUE OR router_external = TRUE "
                + "ORDER BY id").bind("p", visibleTo).map(NetworkStore::network).list();
    }

    public static List<NetworkRow> networksByIds(Handle h, Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM networks WHERE id IN (<ids>)").bindList("ids", List.copyOf(ids))
                .map(NetworkStore::network).list();
    }

    public static void insertNetwork(Handle h, NetworkRow n) {
        h.createUpdate("INSERT INTO networks (id, project_id, name, description, admin_state_up, shared, "
                + "router_external, mtu, port_security_enabled, network_type, physical_network, segmentation_id, "
                + "attr_id, revision_number, created_at, updated_at) VALUES (:id, :projectId, :name, :description, "
                + ":adminStateUp, :shared, :routerExternal, :mtu, :portSecurityEnabled, :networkType, "
                + ":physicalNetwork, :segmentationId, :attrId, :revisionNumber, :createdAt, :updatedAt)")
                .bindMethods(n).execute();
    }

    public static void updateNetwork(Handle h, NetworkRow n) {
        h.createUpdate("UPDATE networks SET name = :name, description = :description, admin_state_up = "
                + ":adminStateUp, shared = :shared, router_external = :routerExternal, mtu = :mtu, "
                + "port_security_enabled = :portSecurityEnabled, revision_number = :revisionNumber, "
                + "updated_at = :updatedAt WHERE id = :id").bindMethods(n).execute();
    }

    public static void deleteNetwork(Handle h, String id) {
        h.createUpdate("DELETE FROM networks WHERE id = :id").bind("id", id).execute();
    }

    public static void touchNetwork(Tx tx, String id) {
        tx.handle().createUpdate("UPDATE networks SET revision_number = revision_number + 1, updated_at = :now "
                + "WHERE id = :id").bind("now", tx.now()).bind("id", id).execute();
    }

    public static int countNetworks(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM networks WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    /** Segmentation ids in use for a network type (and physical network, for VLAN and flat). */
    public static List<Integer> segmentsInUse(Handle h, String type, String physnet) {
        if (physnet == null) {
            return h.createQuery("SELECT segmentation_id FROM networks WHERE network_type = :t "
                    + "AND segmentation_id IS NOT NULL").bind("t", type).mapTo(Integer.class).list();
        }
        return h.createQuery("SELECT segmentation_id FROM networks WHERE network_type = :t AND physical_network = :p "
                + "AND segmentation_id IS NOT NULL").bind("t", type).bind("p", physnet).mapTo(Integer.class).list();
    }

    public static boolean flatInUse(Handle h, String physnet) {
        return h.createQuery("SELECT COUNT(*) FROM networks WHERE network_type = 'flat' AND physical_network = :p")
                .bind("p", physnet).mapTo(Integer.class).one() > 0;
    }

    // ------------------------------------------------------------------ subnets

    public static Optional<SubnetRow> subnet(Handle h, String id) {
        return h.createQuery("SELECT * FROM subnets WHERE id = :id").bind("id", id).map(NetworkStore::subnet)
                .findOne();
    }

    public static List<SubnetRow> subnets(Handle h) {
        return h.createQuery("SELECT * FROM subnets ORDER BY id").map(NetworkStore::subnet).list();
    }

    public static List<SubnetRow> subnetsOf(Handle h, String networkId) {
        return h.createQuery("SELECT * FROM subnets WHERE network_id = :n ORDER BY attr_id").bind("n", networkId)
                .map(NetworkStore::subnet).list();
    }

    public static Map<String, List<String>> subnetIdsByNetwork(Handle h, Collection<String> networkIds) {
        Map<String, List<String>> out = new HashMap<>();
        if (networkIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT network_id, id FROM subnets WHERE network_id IN (<ids>) ORDER BY attr_id")
                .bindList("ids", List.copyOf(networkIds))
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
                .forEach(r -> out.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]));
        return out;
    }

    public static void insertSubnet(Handle h, SubnetRow s) {
        h.createUpdate("INSERT INTO subnets (id, project_id, network_id, name, description, ip_version, cidr, "
                + "gateway_ip, enable_dhcp, ipv6_ra_mode, ipv6_address_mode, allocation_pools, dns_nameservers, "
                + "host_routes, attr_id, revision_number, created_at, updated_at) VALUES (:id, :projectId, "
                + ":networkId, :name, :description, :ipVersion, :cidr, :gatewayIp, :enableDhcp, :ipv6RaMode, "
                + ":ipv6AddressMode, :allocationPools, :dnsNameservers, :hostRoutes, :attrId, :revisionNumber, "
                + ":createdAt, :updatedAt)").bindMethods(s).execute();
    }

    public static void updateSubnet(Handle h, SubnetRow s) {
        h.createUpdate("UPDATE subnets SET name = :name, description = :description, gateway_ip = :gatewayIp, "
                + "enable_dhcp = :enableDhcp, dns_nameservers = :dnsNameservers, host_routes = :hostRoutes, "
                + "revision_number = :revisionNumber, updated_at = :updatedAt WHERE id = :id").bindMethods(s)
                .execute();
    }

    public static void deleteSubnet(Handle h, String id) {
        h.createUpdate("DELETE FROM subnets WHERE id = :id").bind("id", id).execute();
    }

    public static int countSubnets(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM subnets WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    public static List<String> allocatedIps(Handle h, String subnetId) {
        return h.createQuery("SELECT ip_address FROM port_fixed_ips WHERE subnet_id = :s").bind("s", subnetId)
                .mapTo(String.class).list();
    }

    // ------------------------------------------------------------------ ports

    public static Optional<PortRow> port(Handle h, String id) {
        List<PortRow> p = ports(h, "SELECT * FROM ports WHERE id = :id", Map.of("id", id));
        return p.isEmpty() ? Optional.empty() : Optional.of(p.get(0));
    }

    /** Every port (project null), or a project's ports plus the ports on its networks. */
    public static List<PortRow> ports(Handle h, String visibleTo) {
        if (visibleTo == null) {
            return ports(h, "SELECT * FROM ports ORDER BY id", Map.of());
        }
        return ports(h, "SELECT * FROM ports WHERE project_id = :p OR network_id IN "
                + "(SELECT id FROM networks WHERE project_id = :p) ORDER BY id", Map.of("p", visibleTo));
    }

    /** Ports bound to a host, in creation order. */
    public static List<PortRow> portsOnHost(Handle h, String host) {
        return ports(h, "SELECT * FROM ports WHERE binding_host_id = :h ORDER BY attr_id", Map.of("h", host));
    }

    /** Ports in any of the groups, in creation order. */
    public static List<PortRow> portsInGroups(Handle h, Collection<String> groupIds) {
        if (groupIds.isEmpty()) {
            return List.of();
        }
        List<PortRow> out = new ArrayList<>();
        List<String> ids = List.copyOf(groupIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            var rows = h.createQuery("SELECT * FROM ports WHERE id IN (SELECT port_id FROM port_security_groups "
                    + "WHERE security_group_id IN (<ids>)) ORDER BY attr_id").bindList("ids", chunk)
                    .map(NetworkStore::portBase).list();
            out.addAll(withChildren(h, rows));
        }
        return out;
    }

    public static int countPorts(Handle h, String project) {
        return h.createQuery("SELECT COUNT(*) FROM ports WHERE project_id = :p").bind("p", project)
                .mapTo(Integer.class).one();
    }

    public static int countPortsOnNetwork(Handle h, String networkId) {
        return h.createQuery("SELECT COUNT(*) FROM ports WHERE network_id = :n").bind("n", networkId)
                .mapTo(Integer.class).one();
    }

    public static boolean macInUse(Handle h, String networkId, String mac) {
        return h.createQuery("SELECT COUNT(*) FROM ports WHERE network_id = :n AND mac_address = :m")
                .bind("n", networkId).bind("m", mac).mapTo(Integer.class).one() > 0;
    }

    public static Optional<String> ipOwner(Handle h, String subnetId, String ip) {
        return h.createQuery("SELECT port_id FROM port_fixed_ips WHERE subnet_id = :s AND ip_address = :ip")
                .bind("s", subnetId).bind("ip", ip).mapTo(String.class).findOne();
    }

    public static void insertPort(Handle h, PortRow p) {
        h.createUpdate("INSERT INTO ports (id, project_id, network_id, name, description, mac_address, "
                + "admin_state_up, status, device_id, device_owner, port_security_enabled, binding_host_id, "
                + "binding_profile, binding_vnic_type, attr_id, revision_number, created_at, updated_at) VALUES "
                + "(:id, :projectId, :networkId, :name, :description, :macAddress, :adminStateUp, :status, "
                + ":deviceId, :deviceOwner, :portSecurityEnabled, :bindingHostId, :bindingProfile, "
                + ":bindingVnicType, :attrId, :revisionNumber, :createdAt, :updatedAt)").bindMethods(p).execute();
        writeChildren(h, p);
    }

    public static void updatePort(Handle h, PortRow p) {
        h.createUpdate("UPDATE ports SET name = :name, description = :description, mac_address = :macAddress, "
                + "admin_state_up = :adminStateUp, device_id = :deviceId, device_owner = :deviceOwner, "
                + "port_security_enabled = :portSecurityEnabled, binding_host_id = :bindingHostId, "
                + "binding_profile = :bindingProfile, binding_vnic_type = :bindingVnicType, "
                + "revision_number = :revisionNumber, updated_at = :updatedAt WHERE id = :id").bindMethods(p)
                .execute();
        for (String t : List.of("port_fixed_ips", "port_allowed_address_pairs", "port_security_groups")) {
            h.createUpdate("DELETE FROM " + t + " WHERE port_id = :id").bind("id", p.id()).execute();
        }
        writeChildren(h, p);
    }

    public static void deletePort(Handle h, String id) {
        h.createUpdate("DELETE FROM ports WHERE id = :id").bind("id", id).execute();
    }

    private static void writeChildren(Handle h, PortRow p) {
        int i = 0;
        for (FixedIp ip : p.fixedIps()) {
            h.createUpdate("INSERT INTO port_fixed_ips (port_id, subnet_id, network_id, ip_address, seq) VALUES "
                    + "(:p, :s, :n, :ip, :seq)").bind("p", p.id()).bind("s", ip.subnetId()).bind("n", p.networkId())
                    .bind("ip", ip.ipAddress()).bind("seq", i++).execute();
        }
        i = 0;
        for (AllowedAddressPair a : p.allowedAddressPairs()) {
            h.createUpdate("INSERT INTO port_allowed_address_pairs (port_id, ip_address, mac_address, seq) VALUES "
                    + "(:p, :ip, :mac, :seq)").bind("p", p.id()).bind("ip", a.ipAddress())
                    .bind("mac", a.macAddress()).bind("seq", i++).execute();
        }
        i = 0;
        for (String g : p.securityGroups()) {
            h.createUpdate("INSERT INTO port_security_groups (port_id, security_group_id, seq) VALUES "
                    + "(:p, :g, :seq)").bind("p", p.id()).bind("g", g).bind("seq", i++).execute();
        }
    }

    private static List<PortRow> ports(Handle h, String sql, Map<String, ?> binds) {
        var q = h.createQuery(sql);
        binds.forEach(q::bind);
        return withChildren(h, q.map(NetworkStore::portBase).list());
    }

    private static List<PortRow> withChildren(Handle h, List<PortRow> base) {
        if (base.isEmpty()) {
            return base;
        }
        Map<String, List<FixedIp>> ips = new HashMap<>();
        Map<String, List<AllowedAddressPair>> pairs = new HashMap<>();
        Map<String, List<String>> groups = new HashMap<>();
        List<String> ids = base.stream().map(PortRow::id).toList();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            h.createQuery("SELECT port_id, ip_address, subnet_id FROM port_fixed_ips WHERE port_id IN (<ids>) "
                            + "ORDER BY seq").bindList("ids", chunk)
                    .map((rs, c) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .forEach(r -> ips.computeIfAbsent(r[0], k -> new ArrayList<>()).add(new FixedIp(r[1], r[2])));
            h.createQuery("SELECT port_id, ip_address, mac_address FROM port_allowed_address_pairs WHERE port_id IN "
                            + "(<ids>) ORDER BY seq").bindList("ids", chunk)
                    .map((rs, c) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .forEach(r -> pairs.computeIfAbsent(r[0], k -> new ArrayList<>())
                            .add(new AllowedAddressPair(r[1], r[2])));
            h.createQuery("SELECT port_id, security_group_id FROM port_security_groups WHERE port_id IN (<ids>) "
                            + "ORDER BY seq").bindList("ids", chunk)
                    .map((rs, c) -> new String[] {rs.getString(1), rs.getString(2)})
                    .forEach(r -> groups.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]));
        }
        List<PortRow> out = new ArrayList<>(base.size());
        for (PortRow p : base) {
            out.add(new PortRow(p.id(), p.projectId(), p.networkId(), p.name(), p.description(), p.macAddress(),
                    p.adminStateUp(), p.status(), p.deviceId(), p.deviceOwner(), p.portSecurityEnabled(),
                    p.bindingHostId(), p.bindingProfile(), p.bindingVnicType(), p.attrId(), p.revisionNumber(),
                    p.createdAt(), p.updatedAt(), ips.getOrDefault(p.id(), List.of()),
                    pairs.getOrDefault(p.id(), List.of()), groups.getOrDefault(p.id(), List.of())));
        }
        return out;
    }

    // ------------------------------------------------------------------ mapping

    static NetworkRow network(ResultSet rs, StatementContext ctx) throws SQLException {
        return new NetworkRow(rs.getString("id"), rs.getString("project_id"), rs.getString("name"),
                rs.getString("description"), rs.getBoolean("admin_state_up"), rs.getBoolean("shared"),
                rs.getBoolean("router_external"), rs.getInt("mtu"), rs.getBoolean("port_security_enabled"),
                rs.getString("network_type"), rs.getString("physical_network"),
                (Integer) rs.getObject("segmentation_id"), rs.getLong("attr_id"), rs.getLong("revision_number"),
                rs.getLong("created_at"), rs.getLong("updated_at"));
    }

    static SubnetRow subnet(ResultSet rs, StatementContext ctx) throws SQLException {
        return new SubnetRow(rs.getString("id"), rs.getString("project_id"), rs.getString("network_id"),
                rs.getString("name"), rs.getString("description"), rs.getInt("ip_version"), rs.getString("cidr"),
                rs.getString("gateway_ip"), rs.getBoolean("enable_dhcp"), rs.getString("ipv6_ra_mode"),
                rs.getString("ipv6_address_mode"), rs.getString("allocation_pools"),
                rs.getString("dns_nameservers"), rs.getString("host_routes"), rs.getLong("attr_id"),
                rs.getLong("revision_number"), rs.getLong("created_at"), rs.getLong("updated_at"));
    }

    static PortRow portBase(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PortRow(rs.getString("id"), rs.getString("project_id"), rs.getString("network_id"),
                rs.getString("name"), rs.getString("description"), rs.getString("mac_address"),
                rs.getBoolean("admin_state_up"), rs.getString("status"), rs.getString("device_id"),
                rs.getString("device_owner"), rs.getBoolean("port_security_enabled"),
                rs.getString("binding_host_id"), rs.getString("binding_profile"),
                rs.getString("binding_vnic_type"), rs.getLong("attr_id"), rs.getLong("revision_number"),
                rs.getLong("created_at"), rs.getLong("updated_at"), List.of(), List.of(), List.of());
    }
}
