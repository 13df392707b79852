package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.NetworkRow;
import dev.tapguard.server.store.PortRow;
import dev.tapguard.server.store.RbacRow;
import dev.tapguard.server.store.RuleRow;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SubnetRow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The JSON Neutron shows for each resource, key for key (admin-only attributes only for admins). */
public final class Views {
    private Views() {
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private static final java.util.concurrent.ConcurrentHashMap<Long, String> TIMES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Neutron's timestamp format; objects made in the same second share one formatted string. */
    public static String time(long millis) {
        String t = TIMES.get(millis);
        if (t == null) {
            if (TIMES.size() > 50_000) {
                TIMES.clear();
            }
            t = TIME.format(Instant.ofEpochMilli(millis));
            TIMES.put(millis, t);
        }
        return t;
    }

    public static ObjectNode group(SecurityGroupRow g, List<RuleRow> rules, boolean shared) {
        ObjectNode o = Json.object();
        o.put("id", g.id());
        o.put("name", g.name());
        o.put("stateful", g.stateful());
        o.put("tenant_id", g.projectId());
        Json.putNullable(o, "description", g.description());
        o.put("shared", shared);
        ArrayNode rs = o.putArray("security_group_rules");
        for (RuleRow r : rules) {
            rs.add(rule(r, true));
        }
        o.putArray("tags");
        o.put("created_at", time(g.createdAt()));
        o.put("updated_at", time(g.updatedAt()));
        o.put("revision_number", g.revisionNumber());
        o.put("project_id", g.projectId());
        return o;
    }

    /** A rule; {@code embedded} (inside its group) adds standard_attr_id and tags, as Neutron does. */
    public static ObjectNode rule(RuleRow row, boolean embedded) {
        SecurityGroupRule r = row.rule();
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("tenant_id", r.projectId());
        o.put("security_group_id", r.securityGroupId());
        o.put("ethertype", r.ethertype().name());
        o.put("direction", r.direction().wire());
        Json.putNullable(o, "protocol", r.protocol());
        Json.putNullable(o, "port_range_min", r.portRangeMin());
        Json.putNullable(o, "port_range_max", r.portRangeMax());
        Json.putNullable(o, "remote_ip_prefix", r.remoteIpPrefix());
        Json.putNullable(o, "remote_address_group_id", r.remoteAddressGroupId());
        Json.putNullable(o, "normalized_cidr", r.normalizedCidr());
        Json.putNullable(o, "remote_group_id", r.remoteGroupId());
        if (embedded) {
            o.put("standard_attr_id", row.attrId());
        }
        Json.putNullable(o, "description", r.description());
        if (embedded) {
            o.putArray("tags");
        }
        o.put("created_at", time(row.createdAt()));
        o.put("updated_at", time(row.updatedAt()));
        o.put("revision_number", row.revisionNumber());
        o.put("project_id", r.projectId());
        return o;
    }

    public static ObjectNode network(NetworkRow n, List<String> subnetIds, RequestContext ctx) {
        ObjectNode o = Json.object();
        o.put("id", n.id());
        o.put("name", n.name());
        o.put("tenant_id", n.projectId());
        o.put("admin_state_up", n.adminStateUp());
        o.put("mtu", n.mtu());
        o.put("status", "ACTIVE");
        o.set("subnets", Json.strings(subnetIds));
        o.put("shared", n.shared());
        o.putArray("availability_zone_hints");
        o.putArray("availability_zones");
        o.putNull("ipv4_address_scope");
        o.putNull("ipv6_address_scope");
        o.put("router:external", n.routerExternal());
        Json.putNullable(o, "description", n.description());
        o.put("port_security_enabled", n.portSecurityEnabled());
        if (ctx == null || ctx.seesAll()) {
            o.put("provider:network_type", n.networkType());
            Json.putNullable(o, "provider:physical_network", n.physicalNetwork());
            Json.putNullable(o, "provider:segmentation_id", n.segmentationId());
        }
        o.putArray("tags");
        o.put("created_at", time(n.createdAt()));
        o.put("updated_at", time(n.updatedAt()));
        o.put("revision_number", n.revisionNumber());
        o.put("project_id", n.projectId());
        return o;
    }

    public static ObjectNode subnet(SubnetRow s) {
        ObjectNode o = Json.object();
        o.put("id", s.id());
        o.put("name", s.name());
        o.put("tenant_id", s.projectId());
        o.put("network_id", s.networkId());
        o.put("ip_version", s.ipVersion());
        o.putNull("subnetpool_id");
        o.set("allocation_pools", Json.parseStored(s.allocationPools()));
        Json.putNullable(o, "gateway_ip", s.gatewayIp());
        o.put("cidr", s.cidr());
        o.put("enable_dhcp", s.enableDhcp());
        Json.putNullable(o, "ipv6_ra_mode", s.ipv6RaMode());
        Json.putNullable(o, "ipv6_address_mode", s.ipv6AddressMode());
        o.set("dns_nameservers", Json.parseStored(s.dnsNameservers()));
        o.set("host_routes", Json.parseStored(s.hostRoutes()));
        Json.putNullable(o, "description", s.description());
        o.putArray("service_types");
        o.putArray("tags");
        o.put("created_at", time(s.createdAt()));
        o.put("updated_at", time(s.updatedAt()));
        o.put("revision_number", s.revisionNumber());
        o.put("project_id", s.projectId());
        return o;
    }

    public static ObjectNode port(PortRow p, RequestContext ctx) {
        ObjectNode o = Json.object();
        o.put("id", p.id());
        o.put("name", p.name());
        o.put("network_id", p.networkId());
        o.put("tenant_id", p.projectId());
        o.put("mac_address", p.macAddress());
        o.put("admin_state_up", p.adminStateUp());
        o.put("status", p.status());
        o.put("device_id", p.deviceId());
        o.put("device_owner", p.deviceOwner());
        ArrayNode ips = o.putArray("fixed_ips");
        for (FixedIp ip : p.fixedIps()) {
            ips.addObject().put("subnet_id", ip.subnetId()).put("ip_address", ip.ipAddress());
        }
        ArrayNode pairs = o.putArray("allowed_address_pairs");
        for (AllowedAddressPair a : p.allowedAddressPairs()) {
            pairs.addObject().put("ip_address", a.ipAddress()).put("mac_address", a.macAddress());
        }
        o.putArray("extra_dhcp_opts");
        o.set("security_groups", Json.strings(p.securityGroups()));
        Json.putNullable(o, "description", p.description());
        o.put("binding:vnic_type", p.bindingVnicType());
        if (ctx == null || ctx.seesAll()) {
            o.put("binding:host_id", p.bindingHostId());
            o.set("binding:profile", Json.parseStored(p.bindingProfile()));
            boolean bound = !p.bindingHostId().isEmpty();
            // Tapguard's agent plugs ports the iptables_hybrid way: OVS with a Linux bridge doing the filtering
            o.put("binding:vif_type", bound ? "ovs" : "unbound");
            ObjectNode details = o.putObject("binding:vif_details");
            if (bound) {
                details.put("port_filter", true).put("ovs_hybrid_plug", true).put("connectivity", "l2")
                        .put("bridge_name", "br-int").put("datapath_type", "system");
            }
        }
        o.put("port_security_enabled", p.portSecurityEnabled());
        o.putArray("tags");
        o.put("created_at", time(p.createdAt()));
        o.put("updated_at", time(p.updatedAt()));
        o.put("revision_number", p.revisionNumber());
        o.put("project_id", p.projectId());
        return o;
    }

    public static ObjectNode rbac(RbacRow r) {
        ObjectNode o = Json.object();
        o.put("id", r.id());
        o.put("project_id", r.projectId());
        o.put("action", r.action());
        o.put("object_id", r.objectId());
        o.put("target_tenant", r.targetTenant());
        o.put("object_type", r.objectType());
        o.put("tenant_id", r.projectId());
        return o;
    }
}
