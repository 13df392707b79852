package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.NetworkRow;
import dev.tapguard.server.store.NetworkStore;
import dev.tapguard.server.store.QuotaStore;
import dev.tapguard.server.store.SubnetRow;
import dev.tapguard.server.store.Tx;
import inet.ipaddr.IPAddress;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** {@code /v2.0/networks} (with provider segments) and {@code /v2.0/subnets} (with address pools). */
public final class NetworksApi {
    public static final ResourceSpec NETWORK = ResourceSpec.of("network", "networks", List.of(
            Attr.ro("id", true, true, Attr.Type.STRING),
            Attr.rw("name", true, true, Attr.Type.STRING),
            Attr.rw("admin_state_up", true, true, Attr.Type.BOOL),
            Attr.ro("status", true, true, Attr.Type.STRING),
            Attr.ro("subnets", false, false, Attr.Type.LIST),
            Attr.rw("shared", true, false, Attr.Type.BOOL),
            Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING),
            Attr.rw("mtu", true, true, Attr.Type.STRING),
            Attr.rw("port_security_enabled", false, false, Attr.Type.BOOL),
            Attr.rw("provider:network_type", true, false, Attr.Type.STRING),
            Attr.rw("provider:physical_network", true, false, Attr.Type.STRING),
            Attr.rw("provider:segmentation_id", true, false, Attr.Type.STRING),
            Attr.rw("router:external", true, false, Attr.Type.BOOL),
            Attr.rw("description", true, false, Attr.Type.STRING),
            Attr.createOnly("availability_zone_hints", false, false, true, Attr.Type.LIST),
            Attr.ro("availability_zones", false, false, Attr.Type.LIST),
            Attr.ro("ipv4_address_scope", false, false, Attr.Type.STRING),
            Attr.ro("ipv6_address_scope", false, false, Attr.Type.STRING),
            Attr.ro("revision_number", true, false, Attr.Type.STRING),
            Attr.ro("created_at", false, false, Attr.Type.STRING),
            Attr.ro("updated_at", false, false, Attr.Type.STRING),
            Attr.ro("tags", true, false, Attr.Type.LIST),
            Attr.createOnly("project_id", false, true, true, Attr.Type.STRING)));

    public static final ResourceSpec SUBNET = ResourceSpec.of("subnet", "subnets", List.of(
            Attr.ro("id", true, true, Attr.Type.STRING),
            Attr.rw("name", true, true, Attr.Type.STRING),
            Attr.createOnly("ip_version", true, true, true, Attr.Type.STRING),
            Attr.createOnly("network_id", true, true, true, Attr.Type.STRING),
            Attr.createOnly("subnetpool_id", false, true, true, Attr.Type.STRING),
            Attr.createOnly("prefixlen", false, false, false, Attr.Type.STRING),
            Attr.createOnly("cidr", false, true, true, Attr.Type.STRING),
            Attr.rw("gateway_ip", true, true, Attr.Type.STRING),
            Attr.rw("allocation_pools", false, false, Attr.Type.OTHER),
            Attr.rw("dns_nameservers", false, false, Attr.Type.LIST),
            Attr.rw("host_routes", false, false, Attr.Type.OTHER),
            Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING),
            Attr.rw("enable_dhcp", true, true, Attr.Type.BOOL),
            Attr.createOnly("ipv6_ra_mode", false, true, true, Attr.Type.STRING),
            Attr.createOnly("ipv6_address_mode", false, true, true, Attr.Type.STRING),
            Attr.rw("description", true, false, Attr.Type.STRING),
            Attr.rw("service_types", false, false, Attr.Type.LIST),
            Attr.ro("revision_number", true, false, Attr.Type.STRING),
            Attr.ro("created_at", false, false, Attr.Type.STRING),
            Attr.ro("updated_at", false, false, Attr.Type.STRING),
            Attr.ro("tags", true, false, Attr.Type.LIST),
            Attr.createOnly("project_id", false, true, true, Attr.Type.STRING)));

    private static final List<String> PROVIDER = List.of("provider:network_type", "provider:physical_network",
            "provider:segmentation_id");
    private static final Set<String> IPV6_MODES = Set.of("slaac", "dhcpv6-stateful", "dhcpv6-stateless");

    private final Database db;

    public NetworksApi(Database db) {
        this.db = db;
    }

    // ------------------------------------------------------------------ networks

    static NetworkRow visible(Handle h, RequestContext ctx, String id) {
        Optional<NetworkRow> n = NetworkStore.network(h, id);
        if (n.isEmpty() || !ctx.canRead() || !(ctx.seesAll() || n.get().projectId().equals(ctx.projectId())
                || n.get().shared() || n.get().routerExternal())) {
            throw Errors.networkNotFound(id);
        }
        return n.get();
    }

    static NetworkRow owned(Handle h, RequestContext ctx, String id) {
        NetworkRow n = visible(h, ctx, id);
        if (!ctx.owns(n.projectId())) {
            throw Errors.networkNotFound(id);
        }
        return n;
    }

    private static List<ObjectNode> render(Handle h, RequestContext ctx, List<NetworkRow> rows) {
        Map<String, List<String>> subnets = NetworkStore.subnetIdsByNetwork(h, rows.stream().map(NetworkRow::id)
                .toList());
        List<ObjectNode> out = new ArrayList<>();
        rows.forEach(n -> out.add(Views.network(n, subnets.getOrDefault(n.id(), List.of()), ctx)));
        return out;
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters f = Listing.filters(req, NETWORK);
        List<ObjectNode> items = !ctx.canRead() ? List.of()
                : db.read(h -> render(h, ctx, NetworkStore.networks(h, ctx.seesAll() ? null : ctx.projectId())));
        return ApiResponse.ok(Listing.respond(req, NETWORK, items, f));
    }

    public ApiResponse show(ApiRequest req, String id) {
        ObjectNode o = db.read(h -> render(h, req.ctx(), List.of(visible(h, req.ctx(), id))).get(0));
        return ApiResponse.ok(SecurityGroupsApi.wrap("network", Listing.select(o, Listing.fields(req))));
    }

    private record NewNetwork(String project, String name, String description, boolean adminStateUp, boolean shared,
                              boolean external, Integer mtu, boolean portSecurity, String type, String physnet,
                              Integer segment) {
    }

    public ApiResponse create(ApiRequest req) {
        RequestContext ctx = req.ctx();
        JsonNode body = req.json();
        List<ObjectNode> items = Bodies.forCreate(body, NETWORK, ctx, true);
        List<NewNetwork> wanted = new ArrayList<>();
        for (ObjectNode d : items) {
            for (String p : PROVIDER) {
                if (d.has(p) && !ctx.isAdmin()) {
                    throw Errors.policy("(rule:create_network and rule:create_network:" + p + ")");
                }
            }
            for (String p : List.of("shared", "router:external")) {
                if (d.has(p) && Boolean.TRUE.equals(Values.bool(d, p, false)) && !ctx.isAdmin()) {
                    throw Errors.policy("(rule:create_network and rule:create_network:" + p + ")");
                }
            }
            JsonNode az = d.get("availability_zone_hints");
            if (az != null && !(az.isArray() && az.isEmpty())) {
                throw Errors.invalidInput("availability zones are not supported");
            }
            String type = Values.stringOrNull(d, "provider:network_type", 255, null);
            String physnet = Values.stringOrNull(d, "provider:physical_network", 64, null);
            Integer seg = d.has("provider:segmentation_id") && !d.get("provider:segmentation_id").isNull()
                    ? Values.integer(d, "provider:segmentation_id", 0, Integer.MAX_VALUE, null) : null;
            wanted.add(new NewNetwork(d.get("project_id").asText(), Values.string(d, "name", 255, ""),
                    Values.string(d, "description", 255, ""), Values.bool(d, "admin_state_up", true),
                    Values.bool(d, "shared", false), Values.bool(d, "router:external", false),
                    Values.integer(d, "mtu", 68, 9216, null), Values.bool(d, "port_security_enabled", true),
                    type, physnet, seg));
        }
        Guards.canWrite(ctx, "create_network");
        List<ObjectNode> created = db.write(tx -> {
            List<NetworkRow> rows = new ArrayList<>();
            for (NewNetwork n : wanted) {
                long limit = QuotaStore.limit(tx.handle(), n.project(), "network");
                if (limit >= 0 && NetworkStore.countNetworks(tx.handle(), n.project()) + 1 > limit) {
                    throw Errors.overQuota("network");
                }
                rows.add(insertNetwork(tx, n));
            }
            return render(tx.handle(), ctx, rows);
        });
        if (Bodies.isBulk(body, NETWORK)) {
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray("networks");
            created.forEach(arr::add);
            return ApiResponse.created(out);
        }
        return ApiResponse.created(SecurityGroupsApi.wrap("network", created.get(0)));
    }

    /** Checks the provider segment (or allocates a VXLAN one) and stores the network. */
    private static NetworkRow insertNetwork(Tx tx, NewNetwork n) {
        Handle h = tx.handle();
        String type = n.type() == null ? "vxlan" : n.type();
        String physnet = n.physnet();
        Integer seg = n.segment();
        int mtu;
        switch (type) {
            case "vlan" -> {
                if (physnet == null) {
                    throw Errors.invalidInput("physical_network required for VLAN provider network");
                }
                if (seg == null) {
                    seg = lowestFree(NetworkStore.segmentsInUse(h, "vlan", physnet), 1, 4094);
                    if (seg == null) {
                        throw new NeutronException(NeutronErrorType.InvalidInput,
                                "Invalid input for operation: no free VLAN on physical network " + physnet + ".");
                    }
                } else if (seg < 1 || seg > 4094) {
                    throw Errors.invalidInput("provider:segmentation_id out of range (1 through 4094)");
                } else if (NetworkStore.segmentsInUse(h, "vlan", physnet).contains(seg)) {
                    throw new NeutronException(NeutronErrorType.VlanIdInUse, "Unable to create the network. The VLAN "
                            + seg + " on physical network " + physnet + " is in use.");
                }
                mtu = 1500;
            }
            case "flat" -> {
                if (physnet == null) {
                    throw Errors.invalidInput("physical_network required for flat provider network");
                }
                if (seg != null) {
                    throw Errors.invalidInput("segmentation_id specified for flat provider network");
                }
                if (NetworkStore.flatInUse(h, physnet)) {
                    throw new NeutronException(NeutronErrorType.NetworkInUse, "Unable to create the flat network. "
                            + "Physical network " + physnet + " is in use.");
                }
                mtu = 1500;
            }
            case "vxlan", "gre", "geneve" -> {
                if (physnet != null) {
                    throw Errors.invalidInput("provider:physical_network specified for " + type + " network");
                }
                int max = 16_777_215;
                if (seg == null) {
                    seg = lowestFree(NetworkStore.segmentsInUse(h, type, null), 1, max);
                } else if (seg < 1 || seg > max) {
                    throw Errors.invalidInput(type + " network segmentation_id out of range (1 through " + max
                            + ")");
                } else if (NetworkStore.segmentsInUse(h, type, null).contains(seg)) {
                    throw new NeutronException(NeutronErrorType.TunnelIdInUse,
                            "Unable to create the network. The tunnel ID " + seg + " is in use.");
                }
                mtu = type.equals("vxlan") ? 1450 : type.equals("gre") ? 1458 : 1442;
            }
            case "local" -> {
                if (physnet != null || seg != null) {
                    throw Errors.invalidInput("provider attributes specified for local network");
                }
                mtu = 1500;
            }
            default -> throw Errors.invalidInput("network_type value '" + type + "' not supported");
        }
        if (n.mtu() != null) {
            mtu = n.mtu();
        }
        NetworkRow row = new NetworkRow(UUID.randomUUID().toString(), n.project(), n.name(), n.description(),
                n.adminStateUp(), n.shared(), n.external(), mtu, n.portSecurity(), type, physnet, seg,
                tx.nextAttrId(), 1, tx.now(), tx.now());
        NetworkStore.insertNetwork(h, row);
        return row;
    }

    private static Integer lowestFree(List<Integer> used, int min, int max) {
        Set<Integer> u = new HashSet<>(used);
        for (int i = min; i <= max; i++) {
            if (!u.contains(i)) {
                return i;
            }
        }
        return null;
    }

    public ApiResponse update(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), NETWORK, ctx);
        for (String p : PROVIDER) {
            if (d.has(p)) {
                if (!ctx.isAdmin()) {
                    throw Errors.policy("(rule:update_network and rule:update_network:" + p + ")");
                }
                throw Errors.invalidInput("Plugin does not support updating provider attributes");
            }
        }
        for (String p : List.of("shared", "router:external")) {
            if (d.has(p) && !ctx.isAdmin()) {
                throw Errors.policy("(rule:update_network and rule:update_network:" + p + ")");
            }
        }
        ObjectNode o = db.write(tx -> {
            NetworkRow n = owned(tx.handle(), ctx, id);
            Guards.canWrite(ctx, "update_network");
            Guards.ifMatch(req, n.revisionNumber());
            NetworkRow u = new NetworkRow(n.id(), n.projectId(), Values.string(d, "name", 255, n.name()),
                    Values.string(d, "description", 255, n.description()),
                    Values.bool(d, "admin_state_up", n.adminStateUp()), Values.bool(d, "shared", n.shared()),
                    Values.bool(d, "router:external", n.routerExternal()),
                    Values.integer(d, "mtu", 68, 9216, n.mtu()),
                    Values.bool(d, "port_security_enabled", n.portSecurityEnabled()), n.networkType(),
                    n.physicalNetwork(), n.segmentationId(), n.attrId(), n.revisionNumber() + 1, n.createdAt(),
                    tx.now());
            NetworkStore.updateNetwork(tx.handle(), u);
            return render(tx.handle(), ctx, List.of(u)).get(0);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("network", o));
    }

    public ApiResponse delete(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            NetworkRow n = owned(tx.handle(), ctx, id);
            Guards.canWrite(ctx, "delete_network");
            Guards.ifMatch(req, n.revisionNumber());
            if (NetworkStore.countPortsOnNetwork(tx.handle(), id) > 0) {
                throw new NeutronException(NeutronErrorType.NetworkInUse, "Unable to complete operation on network "
                        + id + ". There are one or more ports still in use on the network.");
            }
            NetworkStore.deleteNetwork(tx.handle(), id);
            return null;
        });
        return ApiResponse.noContent();
    }

    // ------------------------------------------------------------------ subnets

    static SubnetRow visibleSubnet(Handle h, RequestContext ctx, String id) {
        Optional<SubnetRow> s = NetworkStore.subnet(h, id);
        if (s.isEmpty() || !ctx.canRead()) {
            throw Errors.subnetNotFound(id);
        }
        if (!ctx.seesAll() && !s.get().projectId().equals(ctx.projectId())) {
            Optional<NetworkRow> n = NetworkStore.network(h, s.get().networkId());
            if (n.isEmpty() || !(n.get().shared() || n.get().routerExternal()
                    || n.get().projectId().equals(ctx.projectId()))) {
                throw Errors.subnetNotFound(id);
            }
        }
        return s.get();
    }

    public ApiResponse listSubnets(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters f = Listing.filters(req, SUBNET);
        List<ObjectNode> items = !ctx.canRead() ? List.of() : db.read(h -> {
            List<ObjectNode> out = new ArrayList<>();
            Set<String> visibleNets = new HashSet<>();
            NetworkStore.networks(h, ctx.seesAll() ? null : ctx.projectId()).forEach(n -> visibleNets.add(n.id()));
            for (SubnetRow s : NetworkStore.subnets(h)) {
                if (ctx.seesAll() || s.projectId().equals(ctx.projectId()) || visibleNets.contains(s.networkId())) {
                    out.add(Views.subnet(s));
                }
            }
            return out;
        });
        return ApiResponse.ok(Listing.respond(req, SUBNET, items, f));
    }

    public ApiResponse showSubnet(ApiRequest req, String id) {
        ObjectNode o = db.read(h -> Views.subnet(visibleSubnet(h, req.ctx(), id)));
        return ApiResponse.ok(SecurityGroupsApi.wrap("subnet", Listing.select(o, Listing.fields(req))));
    }

    public ApiResponse createSubnet(ApiRequest req) {
        RequestContext ctx = req.ctx();
        JsonNode body = req.json();
        List<ObjectNode> items = Bodies.forCreate(body, SUBNET, ctx, true);
        Guards.canWrite(ctx, "create_subnet");
        List<ObjectNode> created = db.write(tx -> {
            List<ObjectNode> out = new ArrayList<>();
            for (ObjectNode d : items) {
                out.add(Views.subnet(insertSubnet(tx, ctx, d)));
            }
            return out;
        });
        if (Bodies.isBulk(body, SUBNET)) {
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray("subnets");
            created.forEach(arr::add);
            return ApiResponse.created(out);
        }
        return ApiResponse.created(SecurityGroupsApi.wrap("subnet", created.get(0)));
    }

    private static SubnetRow insertSubnet(Tx tx, RequestContext ctx, ObjectNode d) {
        Handle h = tx.handle();
        String name = Values.string(d, "name", 255, "");
        String description = Values.string(d, "description", 255, "");
        Integer version = d.get("ip_version").isIntegralNumber() || d.get("ip_version").isTextual()
                ? Values.integer(d, "ip_version", Integer.MIN_VALUE, Integer.MAX_VALUE, null) : null;
        if (version == null || (version != 4 && version != 6)) {
            throw Values.invalidReason("ip_version", Py.str(d.get("ip_version")) + " is not in [4, 6]");
        }
        if (d.hasNonNull("subnetpool_id") || d.has("prefixlen")) {
            throw Errors.invalidInput("subnet pools are not supported");
        }
        if (!d.hasNonNull("cidr")) {
            throw new NeutronException(NeutronErrorType.BadRequest,
                    "Bad subnets request: a subnetpool must be specified in the absence of a cidr.");
        }
        String cidrText = Values.string(d, "cidr", 64, null);
        IPAddress net = Addresses.prefix(cidrText);
        if (net == null) {
            throw Values.invalidReason("cidr", "'" + cidrText + "' is not a valid IP subnet");
        }
        IPAddress block = net.toPrefixBlock();
        String cidr = Addresses.format(block.getLower()) + "/" + net.getNetworkPrefixLength();
        if (!cidr.equals(cidrText.strip())) {
            throw Values.invalidReason("cidr", "'" + cidrText + "' isn't a recommended CIDR, '" + cidr
                    + "' is recommended");
        }
        if ((version == 4) != net.isIPv4()) {
            throw Errors.invalidInput("Cidr " + cidr + " does not match ip_version " + version);
        }
        String networkId = Values.string(d, "network_id", 36, null);
        NetworkRow network = NetworkStore.network(h, networkId).filter(n -> ctx.owns(n.projectId()))
                .orElseThrow(() -> Errors.networkNotFound(networkId));
        String project = d.get("project_id").asText();
        long limit = QuotaStore.limit(h, project, "subnet");
        if (limit >= 0 && NetworkStore.countSubnets(h, project) + 1 > limit) {
            throw Errors.overQuota("subnet");
        }
        for (SubnetRow other : NetworkStore.subnetsOf(h, networkId)) {
            IPAddress o = Addresses.prefix(other.cidr());
            if (o != null && o.getIPVersion() == block.getIPVersion()
                    && (o.toPrefixBlock().contains(block) || block.contains(o.toPrefixBlock()))) {
                throw Errors.invalidInput("Requested subnet with cidr: " + cidr + " for network: " + networkId
                        + " overlaps with another subnet");
            }
        }
        String gateway;
        JsonNode gw = d.get("gateway_ip");
        if (gw == null) {
            gateway = Addresses.format(Addresses.fromValue(block, Addresses.value(block.getLower())
                    .add(BigInteger.ONE)));
        } else if (gw.isNull()) {
            gateway = null;
        } else {
            IPAddress g = Addresses.address(gw.isTextual() ? gw.asText() : null);
            if (g == null) {
                throw Values.invalidReason("gateway_ip", "'" + Py.str(gw) + "' is not a valid IP address");
            }
            if (!Addresses.contains(block, g)) {
                throw Errors.invalidInput("Gateway IP " + gw.asText() + " is not in subnet " + cidr);
            }
            gateway = Addresses.format(g);
        }
        List<Addresses.Pool> pools = pools(d.get("allocation_pools"), block, gateway, version);
        ArrayNode poolsJson = Json.array();
        pools.forEach(p -> poolsJson.addObject().put("start", Addresses.format(p.start()))
                .put("end", Addresses.format(p.end())));
        String ra = Values.stringOrNull(d, "ipv6_ra_mode", 32, null);
        String am = Values.stringOrNull(d, "ipv6_address_mode", 32, null);
        for (String[] m : new String[][] {{"ipv6_ra_mode", ra}, {"ipv6_address_mode", am}}) {
            if (m[1] != null && (version != 6 || !IPV6_MODES.contains(m[1]))) {
                throw Values.invalidReason(m[0], m[1] + " is not in ['dhcpv6-stateful', 'dhcpv6-stateless', "
                        + "'slaac']");
            }
        }
        JsonNode dns = d.has("dns_nameservers") ? d.get("dns_nameservers") : Json.array();
        JsonNode routes = d.has("host_routes") ? d.get("host_routes") : Json.array();
        if (!dns.isArray() || !routes.isArray()) {
            throw Errors.badRequest("Invalid input for " + (!dns.isArray() ? "dns_nameservers" : "host_routes")
                    + ". Reason: '" + Py.str(!dns.isArray() ? dns : routes) + "' is not a list.");
        }
        if (d.has("service_types") && !(d.get("service_types").isArray() && d.get("service_types").isEmpty())) {
            throw Errors.invalidInput("subnet service types are not supported");
        }
        SubnetRow s = new SubnetRow(UUID.randomUUID().toString(), project, networkId, name, description, version,
                cidr, gateway, Values.bool(d, "enable_dhcp", true), ra, am, Json.text(poolsJson), Json.text(dns),
                Json.text(routes), tx.nextAttrId(), 0, tx.now(), tx.now());
        NetworkStore.insertSubnet(h, s);
        NetworkStore.touchNetwork(tx, network.id());
        return s;
    }

    private static List<Addresses.Pool> pools(JsonNode given, IPAddress block, String gateway, int version) {
        List<Addresses.Pool> out = new ArrayList<>();
        if (given == null || given.isNull()) {
            BigInteger first = Addresses.value(block.getLower()).add(BigInteger.ONE);
            BigInteger last = Addresses.value(block.getUpper());
            if (version == 4 && block.getNetworkPrefixLength() < 31) {
                last = last.subtract(BigInteger.ONE);
            }
            BigInteger gw = gateway == null ? null : Addresses.value(Addresses.address(gateway));
            if (gw != null && gw.equals(first)) {
                first = first.add(BigInteger.ONE);
            }
            if (first.compareTo(last) <= 0) {
                if (gw != null && gw.compareTo(first) > 0 && gw.compareTo(last) <= 0) {
                    if (gw.subtract(BigInteger.ONE).compareTo(first) >= 0) {
                        out.add(new Addresses.Pool(Addresses.fromValue(block, first),
                                Addresses.fromValue(block, gw.subtract(BigInteger.ONE))));
                    }
                    if (gw.add(BigInteger.ONE).compareTo(last) <= 0) {
                        out.add(new Addresses.Pool(Addresses.fromValue(block, gw.add(BigInteger.ONE)),
                                Addresses.fromValue(block, last)));
                    }
                } else {
                    out.add(new Addresses.Pool(Addresses.fromValue(block, first), Addresses.fromValue(block, last)));
                }
            }
            return out;
        }
        if (!given.isArray()) {
            throw Values.invalidReason("allocation_pools", "Invalid data format for IP pool: '" + Py.str(given) + "'");
        }
        for (JsonNode p : given) {
            IPAddress s = Addresses.address(p.path("start").asText(null));
            IPAddress e = Addresses.address(p.path("end").asText(null));
            if (!p.isObject() || s == null || e == null) {
                throw Values.invalidReason("allocation_pools", "Invalid data format for IP pool: '" + Py.str(p)
                        + "'");
            }
            if (!Addresses.contains(block, s) || !Addresses.contains(block, e)
                    || Addresses.value(s).compareTo(Addresses.value(e)) > 0) {
                throw new NeutronException(NeutronErrorType.InvalidAllocationPool,
                        "The allocation pool " + Addresses.format(s) + "-" + Addresses.format(e) + " is not valid.");
            }
            out.add(new Addresses.Pool(s, e));
        }
        return out;
    }

    public ApiResponse updateSubnet(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), SUBNET, ctx);
        if (d.has("allocation_pools") || d.has("gateway_ip") || d.has("service_types")) {
            throw Errors.invalidInput("updating allocation pools, gateway or service types is not supported");
        }
        ObjectNode o = db.write(tx -> {
            SubnetRow s = visibleSubnet(tx.handle(), ctx, id);
            if (!ctx.owns(s.projectId())) {
                throw Errors.subnetNotFound(id);
            }
            Guards.canWrite(ctx, "update_subnet");
            Guards.ifMatch(req, s.revisionNumber());
            JsonNode dns = d.has("dns_nameservers") ? d.get("dns_nameservers") : Json.parseStored(s.dnsNameservers());
            JsonNode routes = d.has("host_routes") ? d.get("host_routes") : Json.parseStored(s.hostRoutes());
            SubnetRow u = new SubnetRow(s.id(), s.projectId(), s.networkId(), Values.string(d, "name", 255, s.name()),
                    Values.string(d, "description", 255, s.description()), s.ipVersion(), s.cidr(), s.gatewayIp(),
                    Values.bool(d, "enable_dhcp", s.enableDhcp()), s.ipv6RaMode(), s.ipv6AddressMode(),
                    s.allocationPools(), Json.text(dns), Json.text(routes), s.attrId(), s.revisionNumber() + 1,
                    s.createdAt(), tx.now());
            NetworkStore.updateSubnet(tx.handle(), u);
            return Views.subnet(u);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("subnet", o));
    }

    public ApiResponse deleteSubnet(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            SubnetRow s = visibleSubnet(tx.handle(), ctx, id);
            if (!ctx.owns(s.projectId())) {
                throw Errors.subnetNotFound(id);
            }
            Guards.canWrite(ctx, "delete_subnet");
            Guards.ifMatch(req, s.revisionNumber());
            if (!NetworkStore.allocatedIps(tx.handle(), id).isEmpty()) {
                throw new NeutronException(NeutronErrorType.SubnetInUse, "Unable to complete operation on subnet "
                        + id + ": One or more ports have an IP allocation from this subnet.");
            }
            NetworkStore.deleteSubnet(tx.handle(), id);
            NetworkStore.touchNetwork(tx, s.networkId());
            return null;
        });
        return ApiResponse.noContent();
    }
}
