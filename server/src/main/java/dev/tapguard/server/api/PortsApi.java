package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Cidr;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;
import dev.tapguard.server.http.Json;
import dev.tapguard.server.store.Database;
import dev.tapguard.server.store.NetworkRow;
import dev.tapguard.server.store.NetworkStore;
import dev.tapguard.server.store.PortRow;
import dev.tapguard.server.store.QuotaStore;
import dev.tapguard.server.store.SecurityGroupRow;
import dev.tapguard.server.store.SecurityGroupStore;
import dev.tapguard.server.store.SubnetRow;
import dev.tapguard.server.store.Tx;
import inet.ipaddr.IPAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * {@code /v2.0/ports}: security groups (default group when none is named), port security, allowed address pairs,
 * fixed IPs from the network's subnets, generated MACs, and binding:host_id (admins only) which places the port on
 * a compute host for the change feed.
 */
public final class PortsApi {
    public static final ResourceSpec SPEC = ResourceSpec.of("port", "ports", List.of(
            Attr.ro("id", true, true, Attr.Type.STRING),
            Attr.rw("name", true, true, Attr.Type.STRING),
            Attr.createOnly("network_id", true, true, true, Attr.Type.STRING),
            Attr.rw("admin_state_up", true, true, Attr.Type.BOOL),
            Attr.rw("mac_address", true, true, Attr.Type.STRING),
            Attr.rw("fixed_ips", true, false, Attr.Type.FIXED_IPS),
            Attr.rw("device_id", true, true, Attr.Type.STRING),
            Attr.rw("device_owner", true, true, Attr.Type.STRING),
            Attr.createOnly("tenant_id", false, true, true, Attr.Type.STRING),
            Attr.ro("status", true, true, Attr.Type.STRING),
            Attr.rw("security_groups", true, false, Attr.Type.LIST),
            Attr.rw("port_security_enabled", false, false, Attr.Type.BOOL),
            Attr.rw("allowed_address_pairs", false, false, Attr.Type.OTHER),
            Attr.rw("binding:host_id", true, false, Attr.Type.STRING),
            Attr.rw("binding:profile", false, false, Attr.Type.OTHER),
            Attr.rw("binding:vnic_type", false, false, Attr.Type.STRING),
            Attr.ro("binding:vif_type", false, false, Attr.Type.STRING),
            Attr.ro("binding:vif_details", false, false, Attr.Type.OTHER),
            Attr.ro("extra_dhcp_opts", false, false, Attr.Type.LIST),
            Attr.rw("description", true, false, Attr.Type.STRING),
            Attr.ro("revision_number", true, false, Attr.Type.STRING),
            Attr.ro("created_at", false, false, Attr.Type.STRING),
            Attr.ro("updated_at", false, false, Attr.Type.STRING),
            Attr.ro("tags", true, false, Attr.Type.LIST),
            Attr.createOnly("project_id", false, true, true, Attr.Type.STRING)));

    private static final Set<String> VNIC_TYPES = new LinkedHashSet<>(List.of("normal", "direct", "macvtap",
            "baremetal", "direct-physical", "virtio-forwarder", "smart-nic", "vdpa", "accelerator-direct",
            "accelerator-direct-physical", "remote-managed"));
    private static final int MAX_ADDRESS_PAIRS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final SecurityGroupsApi groups;

    public PortsApi(Database db, SecurityGroupsApi groups) {
        this.db = db;
        this.groups = groups;
    }

    // ------------------------------------------------------------------ reads

    static boolean canSee(Handle h, RequestContext ctx, PortRow p) {
        if (!ctx.canRead()) {
            return false;
        }
        if (ctx.seesAll() || p.projectId().equals(ctx.projectId())) {
            return true;
        }
        return NetworkStore.network(h, p.networkId()).map(n -> n.projectId().equals(ctx.projectId())).orElse(false);
    }

    static PortRow visible(Handle h, RequestContext ctx, String id) {
        Optional<PortRow> p = NetworkStore.port(h, id);
        if (p.isEmpty() || !canSee(h, ctx, p.get())) {
            throw Errors.portNotFound(id);
        }
        return p.get();
    }

    public ApiResponse list(ApiRequest req) {
        RequestContext ctx = req.ctx();
        Listing.Filters f = Listing.filters(req, SPEC);
        List<ObjectNode> items = !ctx.canRead() ? List.of() : db.read(h -> {
            List<ObjectNode> out = new ArrayList<>();
            NetworkStore.ports(h, ctx.seesAll() ? null : ctx.projectId()).forEach(p -> out.add(Views.port(p, ctx)));
            return out;
        });
        return ApiResponse.ok(Listing.respond(req, SPEC, items, f));
    }

    public ApiResponse show(ApiRequest req, String id) {
        ObjectNode o = db.read(h -> Views.port(visible(h, req.ctx(), id), req.ctx()));
        return ApiResponse.ok(SecurityGroupsApi.wrap("port", Listing.select(o, Listing.fields(req))));
    }

    // ------------------------------------------------------------------ request values

    /** What a create or update asks for; null fields were not given. */
    private record Wanted(String name, String description, Boolean adminStateUp, String mac, JsonNode fixedIps,
                          String deviceId, String deviceOwner, List<String> securityGroups, Boolean portSecurity,
                          List<JsonNode> pairs, String hostId, String profile, String vnicType) {
    }

    private static Wanted wanted(ObjectNode d, RequestContext ctx, boolean create) {
        String op = create ? "create_port" : "update_port";
        for (String admin : List.of("binding:host_id", "binding:profile")) {
            if (d.has(admin) && !ctx.isAdmin()) {
                throw Errors.policy("(rule:" + op + " and rule:" + op + ":" + admin + ")");
            }
        }
        if (!create && d.has("mac_address") && !ctx.isAdmin()) {
            throw Errors.policy("(rule:update_port and rule:update_port:mac_address)");
        }
        String mac = d.has("mac_address") ? Values.mac(d.get("mac_address"), "mac_address") : null;
        JsonNode fixed = d.get("fixed_ips");
        if (fixed != null && !fixed.isNull()) {
            if (!fixed.isArray()) {
                throw Values.invalidReason("fixed_ips", "Invalid data format for fixed IP: '" + Py.str(fixed) + "'");
            }
            for (JsonNode f : fixed) {
                if (!f.isObject()) {
                    throw Values.invalidReason("fixed_ips", "Invalid data format for fixed IP: '" + Py.str(f) + "'");
                }
                for (var it = f.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!k.equals("ip_address") && !k.equals("subnet_id")) {
                        throw Values.invalidReason("fixed_ips", "Invalid data format for fixed IP: '" + Py.str(f)
                                + "'");
                    }
                }
                if (f.has("ip_address") && Addresses.address(f.get("ip_address").asText(null)) == null) {
                    throw Values.invalidReason("fixed_ips", "'" + Py.str(f.get("ip_address"))
                            + "' is not a valid IP address");
                }
            }
        }
        List<JsonNode> pairs = null;
        JsonNode aap = d.get("allowed_address_pairs");
        if (aap != null) {
            pairs = new ArrayList<>();
            if (!aap.isNull()) {
                if (!aap.isArray()) {
                    throw Errors.badRequest("Allowed address pairs must be a list.");
                }
                if (aap.size() > MAX_ADDRESS_PAIRS) {
                    throw new NeutronException(NeutronErrorType.AllowedAddressPairExhausted,
                            "The number of allowed address pair exceeds the maximum " + MAX_ADDRESS_PAIRS + ".");
                }
                Set<String> seen = new HashSet<>();
                for (JsonNode p : aap) {
                    if (!p.isObject()) {
                        throw Values.invalidReason("allowed_address_pairs", "'" + Py.str(p)
                                + "' is not a dictionary");
                    }
                    if (p.has("mac_address")) {
                        Values.mac(p.get("mac_address"), "allowed_address_pairs");
                    }
                    if (!p.has("ip_address")) {
                        throw new NeutronException(NeutronErrorType.AllowedAddressPairsMissingIP,
                                "AllowedAddressPair must contain ip_address");
                    }
                    String m = p.has("mac_address") ? p.get("mac_address").asText() : null;
                    String ip = p.get("ip_address").asText();
                    if (!seen.add(m + "|" + ip)) {
                        throw new NeutronException(NeutronErrorType.DuplicateAddressPairInRequest,
                                "Request contains duplicate address pair: mac_address " + (m == null ? "None" : m)
                                        + " ip_address " + ip + ".");
                    }
                    List<String> extra = new ArrayList<>();
                    p.fieldNames().forEachRemaining(k -> {
                        if (!k.equals("ip_address") && !k.equals("mac_address")) {
                            extra.add(k);
                        }
                    });
                    if (!extra.isEmpty()) {
                        throw Errors.badRequest("Unrecognized attribute(s) '" + String.join(", ", extra) + "'");
                    }
                    if (!p.get("ip_address").isTextual() || !Cidr.isValid(ip)) {
                        throw Errors.badRequest("'" + ip + "' is not a valid IP " + (ip.contains("/") ? "subnet"
                                : "address"));
                    }
                    pairs.add(p);
                }
            }
        }
        String vnic = Values.string(d, "binding:vnic_type", 64, null);
        if (vnic != null && !VNIC_TYPES.contains(vnic)) {
            throw Values.invalidReason("binding:vnic_type", vnic + " is not in " + Listing.pyList(
                    List.copyOf(VNIC_TYPES)));
        }
        String profile = null;
        if (d.has("binding:profile")) {
            JsonNode p = d.get("binding:profile");
            if (p.isNull()) {
                profile = "{}";
            } else if (!p.isObject()) {
                throw Values.invalidReason("binding:profile", "'" + Py.str(p) + "' is not a dictionary");
            } else {
                profile = Json.text(p);
                if (profile.length() > 4095) {
                    throw Values.invalidReason("binding:profile", "the profile is too large");
                }
            }
        }
        return new Wanted(Values.string(d, "name", 255, null), Values.string(d, "description", 255, null),
                Values.bool(d, "admin_state_up", null), mac, fixed == null || fixed.isNull() ? null : fixed,
                Values.string(d, "device_id", 255, null), Values.string(d, "device_owner", 255, null),
                Values.uuidList(d, "security_groups"), Values.bool(d, "port_security_enabled", null), pairs,
                Values.stringOrNull(d, "binding:host_id", 255, null), profile, vnic);
    }

    // ------------------------------------------------------------------ create

    public ApiResponse create(ApiRequest req) {
        RequestContext ctx = req.ctx();
        JsonNode body = req.json();
        List<ObjectNode> items = Bodies.forCreate(body, SPEC, ctx, true);
        List<Wanted> wanted = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        List<String> networks = new ArrayList<>();
        for (ObjectNode d : items) {
            wanted.add(wanted(d, ctx, true));
            projects.add(d.get("project_id").asText());
            networks.add(Values.string(d, "network_id", 255, null));
        }
        Guards.canWrite(ctx, "create_port");
        projects.stream().distinct().forEach(groups::ensureDefault);
        List<ObjectNode> created = db.write(tx -> {
            List<ObjectNode> out = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                out.add(Views.port(insert(tx, ctx, wanted.get(i), projects.get(i), networks.get(i)), ctx));
            }
            return out;
        });
        if (Bodies.isBulk(body, SPEC)) {
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray("ports");
            created.forEach(arr::add);
            return ApiResponse.created(out);
        }
        return ApiResponse.created(SecurityGroupsApi.wrap("port", created.get(0)));
    }

    private PortRow insert(Tx tx, RequestContext ctx, Wanted w, String project, String networkId) {
        Handle h = tx.handle();
        Optional<NetworkRow> found = NetworkStore.network(h, networkId);
        if (found.isEmpty() || !(ctx.isAdmin() || found.get().projectId().equals(project)
                && found.get().projectId().equals(ctx.projectId()) || found.get().shared())) {
            throw Errors.networkNotFound(networkId);
        }
        NetworkRow net = found.get();
        if (w.mac() != null && !ctx.isAdmin() && !net.projectId().equals(ctx.projectId())) {
            throw Errors.policy("(rule:create_port and rule:create_port:mac_address)");
        }
        long limit = QuotaStore.limit(h, project, "port");
        if (limit >= 0 && NetworkStore.countPorts(h, project) + 1 > limit) {
            throw Errors.overQuota("port");
        }
        boolean portSecurity = w.portSecurity() != null ? w.portSecurity() : net.portSecurityEnabled();
        List<JsonNode> pairs = w.pairs() == null ? List.of() : w.pairs();
        String owner = w.deviceOwner() == null ? "" : w.deviceOwner();
        if (!pairs.isEmpty() && !portSecurity) {
            throw addressPairsNeedPortSecurity();
        }
        List<String> sgs;
        if (portSecurity) {
            if (w.securityGroups() == null) {
                sgs = owner.startsWith("network:") ? List.of()
                        : List.of(SecurityGroupStore.defaultGroupId(h, project).orElseThrow());
            } else {
                sgs = checkGroups(h, ctx, project, w.securityGroups());
            }
        } else {
            if (w.securityGroups() != null && !w.securityGroups().isEmpty()) {
                throw portSecurityNeededForGroups();
            }
            sgs = List.of();
        }
        String mac = w.mac();
        if (mac != null) {
            if (NetworkStore.macInUse(h, networkId, mac)) {
                throw new NeutronException(NeutronErrorType.MacAddressInUse, "Unable to complete operation for "
                        + "network " + networkId + ". The mac address " + mac + " is in use.");
            }
        } else {
            do {
                mac = String.format("fa:16:3e:%02x:%02x:%02x", RANDOM.nextInt(256), RANDOM.nextInt(256),
                        RANDOM.nextInt(256));
            } while (NetworkStore.macInUse(h, networkId, mac));
        }
        String id = UUID.randomUUID().toString();
        List<FixedIp> ips = allocate(h, net, w.fixedIps(), Set.of(), id);
        PortRow p = new PortRow(id, project, networkId, w.name() == null ? "" : w.name(),
                w.description() == null ? "" : w.description(), mac,
                w.adminStateUp() == null || w.adminStateUp(), "DOWN", w.deviceId() == null ? "" : w.deviceId(),
                owner, portSecurity, w.hostId() == null ? "" : w.hostId(), w.profile() == null ? "{}" : w.profile(),
                w.vnicType() == null ? "normal" : w.vnicType(), tx.nextAttrId(), 1, tx.now(), tx.now(), ips,
                pairs(pairs, mac), sgs);
        NetworkStore.insertPort(h, p);
        return p;
    }

    private static List<AllowedAddressPair> pairs(List<JsonNode> given, String portMac) {
        List<AllowedAddressPair> out = new ArrayList<>();
        for (JsonNode p : given) {
            String ip = p.get("ip_address").asText();
            String mac = p.has("mac_address") ? p.get("mac_address").asText().toLowerCase(java.util.Locale.ROOT)
                    : portMac;
            out.add(new AllowedAddressPair(ip, mac));
        }
        return out;
    }

    /** The named groups must exist for the port's project (own, or shared with it) and agree on statefulness. */
    private static List<String> checkGroups(Handle h, RequestContext ctx, String project, List<String> ids) {
        List<SecurityGroupRow> found = SecurityGroupStore.groupsByIds(h, ids);
        Set<String> shared = SecurityGroupStore.sharedWith(h, ids, project);
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            Optional<SecurityGroupRow> g = found.stream().filter(x -> x.id().equals(id)).findFirst();
            if (g.isEmpty() || !(g.get().projectId().equals(project) || shared.contains(id) || ctx.isAdmin())) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw Errors.securityGroupNotFound(String.join(", ", missing));
        }
        if (found.stream().map(SecurityGroupRow::stateful).distinct().count() > 1) {
            throw new NeutronException(NeutronErrorType.SecurityGroupConflict, "Error Cannot apply both stateful "
                    + "and stateless security groups on the same port at the same time while attempting the "
                    + "operation.");
        }
        return List.copyOf(new LinkedHashSet<>(ids));
    }

    /**
     * Fixed IPs: as requested (a subnet, an address, or both), else one address from the network's first subnet of
     * each IP version. {@code keep} are addresses the port already holds (an update may keep them).
     */
    private static List<FixedIp> allocate(Handle h, NetworkRow net, JsonNode requested, Set<String> keep,
                                          String portId) {
        List<SubnetRow> subnets = NetworkStore.subnetsOf(h, net.id());
        List<FixedIp> out = new ArrayList<>();
        if (requested == null) {
            Set<Integer> versions = new HashSet<>();
            for (SubnetRow s : subnets) {
                if (versions.add(s.ipVersion())) {
                    out.add(new FixedIp(nextFree(h, net, s), s.id()));
                }
            }
            return out;
        }
        for (JsonNode f : requested) {
            String subnetId = f.has("subnet_id") ? f.get("subnet_id").asText() : null;
            String ipText = f.has("ip_address") ? f.get("ip_address").asText() : null;
            SubnetRow subnet = null;
            if (subnetId != null) {
                subnet = subnets.stream().filter(s -> s.id().equals(subnetId)).findFirst().orElse(null);
                if (subnet == null) {
                    throw Errors.invalidInput("Failed to create port on network " + net.id()
                            + ", because fixed_ips included invalid subnet " + subnetId);
                }
            }
            if (ipText == null) {
                out.add(new FixedIp(nextFree(h, net, subnet), subnet.id()));
                continue;
            }
            IPAddress ip = Addresses.address(ipText);
            String canonical = Addresses.format(ip);
            if (subnet == null) {
                subnet = subnets.stream().filter(s -> Addresses.contains(Addresses.prefix(s.cidr()), ip)).findFirst()
                        .orElseThrow(() -> new NeutronException(NeutronErrorType.InvalidIpForNetwork,
                                "IP address " + ipText + " is not a valid IP for any of the subnets on the "
                                        + "specified network."));
            } else if (!Addresses.contains(Addresses.prefix(subnet.cidr()), ip)) {
                throw new NeutronException(NeutronErrorType.InvalidIpForSubnet,
                        "IP address " + ipText + " is not a valid IP for the specified subnet.");
            }
            Optional<String> owner = NetworkStore.ipOwner(h, subnet.id(), canonical);
            if (owner.isPresent() && !owner.get().equals(portId)
                    || out.stream().anyMatch(x -> x.ipAddress().equals(canonical))) {
                throw new NeutronException(NeutronErrorType.IpAddressAlreadyAllocated,
                        "IP address " + canonical + " already allocated in subnet " + subnet.id());
            }
            out.add(new FixedIp(canonical, subnet.id()));
        }
        return out;
    }

    private static String nextFree(Handle h, NetworkRow net, SubnetRow s) {
        List<Addresses.Pool> pools = new ArrayList<>();
        for (JsonNode p : Json.parseStored(s.allocationPools())) {
            pools.add(new Addresses.Pool(Addresses.address(p.get("start").asText()),
                    Addresses.address(p.get("end").asText())));
        }
        Set<String> used = new HashSet<>(NetworkStore.allocatedIps(h, s.id()));
        if (s.gatewayIp() != null) {
            used.add(s.gatewayIp());
        }
        String ip = Addresses.firstFree(pools, used);
        if (ip == null) {
            throw new NeutronException(NeutronErrorType.IpAddressGenerationFailure,
                    "No more IP addresses available on network " + net.id() + ".");
        }
        return ip;
    }

    private static NeutronException addressPairsNeedPortSecurity() {
        return new NeutronException(NeutronErrorType.AddressPairAndPortSecurityRequired,
                "Port Security must be enabled in order to have allowed address pairs on a port.");
    }

    private static NeutronException portSecurityNeededForGroups() {
        return new NeutronException(NeutronErrorType.PortSecurityAndIPRequiredForSecurityGroups,
                "Port security must be enabled and port must have an IP address in order to use security groups.");
    }

    // ------------------------------------------------------------------ update and delete

    public ApiResponse update(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        ObjectNode d = Bodies.forUpdate(req.json(), SPEC, ctx);
        Wanted w = wanted(d, ctx, false);
        ObjectNode o = db.write(tx -> {
            Handle h = tx.handle();
            PortRow p = visible(h, ctx, id);
            if (!ctx.owns(p.projectId())) {
                NetworkRow n = NetworkStore.network(h, p.networkId()).orElseThrow();
                if (!n.projectId().equals(ctx.projectId())) {
                    throw Errors.portNotFound(id);
                }
            }
            Guards.canWrite(ctx, "update_port");
            Guards.ifMatch(req, p.revisionNumber());
            boolean portSecurity = w.portSecurity() != null ? w.portSecurity() : p.portSecurityEnabled();
            String mac = w.mac() != null ? w.mac() : p.macAddress();
            List<AllowedAddressPair> pairs = w.pairs() != null ? pairs(w.pairs(), mac) : p.allowedAddressPairs();
            List<String> sgs = p.securityGroups();
            if (!portSecurity) {
                if (w.pairs() != null && !w.pairs().isEmpty()) {
                    throw addressPairsNeedPortSecurity();
                }
                if (w.pairs() == null && !p.allowedAddressPairs().isEmpty()) {
                    throw addressPairsNeedPortSecurity();
                }
                if (w.securityGroups() != null && !w.securityGroups().isEmpty()) {
                    throw portSecurityNeededForGroups();
                }
                if (w.securityGroups() == null && !p.securityGroups().isEmpty()) {
                    throw new NeutronException(NeutronErrorType.PortSecurityPortHasSecurityGroup,
                            "Port has security group associated. Cannot disable port security or IP address until "
                                    + "security group is removed.");
                }
                sgs = List.of();
            } else if (w.securityGroups() != null) {
                sgs = checkGroups(h, ctx, p.projectId(), w.securityGroups());
            }
            if (w.mac() != null && !w.mac().equals(p.macAddress()) && NetworkStore.macInUse(h, p.networkId(), mac)) {
                throw new NeutronException(NeutronErrorType.MacAddressInUse, "Unable to complete operation for "
                        + "network " + p.networkId() + ". The mac address " + mac + " is in use.");
            }
            List<FixedIp> ips = p.fixedIps();
            if (w.fixedIps() != null) {
                NetworkRow net = NetworkStore.network(h, p.networkId()).orElseThrow();
                ips = allocate(h, net, w.fixedIps(), Set.copyOf(p.fixedIpAddressesOrEmpty()), id);
            }
            PortRow u = new PortRow(p.id(), p.projectId(), p.networkId(), w.name() != null ? w.name() : p.name(),
                    w.description() != null ? w.description() : p.description(), mac,
                    w.adminStateUp() != null ? w.adminStateUp() : p.adminStateUp(), p.status(),
                    w.deviceId() != null ? w.deviceId() : p.deviceId(),
                    w.deviceOwner() != null ? w.deviceOwner() : p.deviceOwner(), portSecurity,
                    d.has("binding:host_id") ? (w.hostId() == null ? "" : w.hostId()) : p.bindingHostId(),
                    w.profile() != null ? w.profile() : p.bindingProfile(),
                    w.vnicType() != null ? w.vnicType() : p.bindingVnicType(), p.attrId(), p.revisionNumber() + 1,
                    p.createdAt(), tx.now(), ips, pairs, sgs);
            NetworkStore.updatePort(h, u);
            return Views.port(u, ctx);
        });
        return ApiResponse.ok(SecurityGroupsApi.wrap("port", o));
    }

    public ApiResponse delete(ApiRequest req, String id) {
        RequestContext ctx = req.ctx();
        db.write(tx -> {
            PortRow p = visible(tx.handle(), ctx, id);
            Guards.canWrite(ctx, "delete_port");
            Guards.ifMatch(req, p.revisionNumber());
            NetworkStore.deletePort(tx.handle(), id);
            return null;
        });
        return ApiResponse.noContent();
    }
}
