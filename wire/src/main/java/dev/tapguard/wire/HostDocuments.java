package dev.tapguard.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.AllowedAddressPair;
import dev.tapguard.model.Cidr;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Network;
import dev.tapguard.model.NeutronException;
import dev.tapguard.model.Port;
import dev.tapguard.model.Protocols;
import dev.tapguard.model.Remote;
import dev.tapguard.model.RuleKey;
import dev.tapguard.model.RuleRequest;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.model.SecurityGroupRuleValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads and writes the host document: the oracle's input schema ({@code shared/oracle/SCHEMA.md}), which is also
 * what the server's change feed sends (with {@code host}, {@code revision}, {@code networks} and explicit members).
 */
public final class HostDocuments {
    private HostDocuments() {
    }

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final UUID ORACLE_NS = UUID.fromString("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
    private static final Pattern MAC = Pattern.compile("(?i)^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$");

    /** Parses JSON text; invalid JSON is a HostDocumentException naming where it broke. */
    public static HostInput read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new HostDocumentException("(document)", "invalid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
                    + e.getLocation().getColumnNr()));
        }
        if (root == null || !root.isObject()) {
            throw new HostDocumentException("(document)", "must be a JSON object");
        }
        return read(root);
    }

    public static HostInput read(JsonNode root) {
        String name = text(root, "name", "name", null);
        boolean ipset = bool(root, "enable_ipset", true);
        boolean comments = bool(root, "comment_iptables_rules", true);
        boolean ipv6 = bool(root, "ipv6_enabled", true);
        boolean normalize = bool(root, "api_normalize", true);
        String ipv4Save = null;
        String ipv6Save = null;
        JsonNode saves = root.get("iptables_save");
        if (saves != null && !saves.isNull()) {
            if (!saves.isObject()) {
                throw new HostDocumentException("iptables_save", "must be an object with ipv4/ipv6 texts");
            }
            ipv4Save = text(saves, "ipv4", "iptables_save.ipv4", null);
            ipv6Save = text(saves, "ipv6", "iptables_save.ipv6", null);
        }
        String host = text(root, "host", "host", "localhost");
        long revision = root.has("revision") && root.get("revision").canConvertToLong()
                ? root.get("revision").asLong() : 0L;

        List<RejectedRule> rejected = new ArrayList<>();
        Map<String, SecurityGroup> groups = new LinkedHashMap<>();
        Map<String, List<String>> extraMembers = new LinkedHashMap<>();
        ArrayNode sgs = array(root, "security_groups", "security_groups");
        for (int i = 0; i < sgs.size(); i++) {
            String at = "security_groups[" + i + "]";
            JsonNode sg = object(sgs.get(i), at);
            SecurityGroup g = group(sg, at, normalize, rejected);
            if (groups.put(g.id(), g) != null) {
                throw new HostDocumentException(at + ".id", "duplicate security group " + g.id());
            }
            JsonNode mem = sg.get("members");
            if (mem != null && !mem.isNull()) {
                if (!mem.isObject()) {
                    throw new HostDocumentException(at + ".members", "must be an object {\"IPv4\": [...], ...}");
                }
                List<String> list = extraMembers.computeIfAbsent(g.id(), k -> new ArrayList<>());
                for (Iterator<Map.Entry<String, JsonNode>> it = mem.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Ethertype eth = Ethertype.parseOrNull(e.getKey());
                    if (eth == null) {
                        throw new HostDocumentException(at + ".members." + e.getKey(), "must be IPv4 or IPv6");
                    }
                    ArrayNode ips = array(mem, e.getKey(), at + ".members." + e.getKey());
                    for (int k = 0; k < ips.size(); k++) {
                        String where = at + ".members." + e.getKey() + "[" + k + "]";
                        String ip = address(ips.get(k), where);
                        if (Cidr.parse(ip).ethertype() != eth) {
                            throw new HostDocumentException(where, "'" + ip + "' is not an " + eth + " address");
                        }
                        list.add(member(ip));
                    }
                }
            }
        }
        List<Port> ports = ports(root, "ports");
        List<Port> remotePorts = ports(root, "remote_ports");
        Set<String> ids = new LinkedHashSet<>();
        for (Port p : ports) {
            if (!ids.add(p.id())) {
                throw new HostDocumentException("ports", "port " + p.id() + " is listed twice");
            }
        }
        List<Network> networks = new ArrayList<>();
        ArrayNode nets = array(root, "networks", "networks");
        for (int i = 0; i < nets.size(); i++) {
            networks.add(network(object(nets.get(i), "networks[" + i + "]"), "networks[" + i + "]"));
        }

        Map<String, List<String>> members = new LinkedHashMap<>();
        List<Port> all = new ArrayList<>(ports);
        all.addAll(remotePorts);
        for (Port p : all) {
            List<String> ips = new ArrayList<>();
            p.fixedIps().forEach(f -> ips.add(f.ipAddress()));
            p.allowedAddressPairs().forEach(a -> ips.add(a.ipAddress()));
            for (String g : p.securityGroups()) {
                members.computeIfAbsent(g, k -> new ArrayList<>()).addAll(ips);
            }
        }
        extraMembers.forEach((g, ips) -> members.computeIfAbsent(g, k -> new ArrayList<>()).addAll(ips));
        Map<String, List<String>> unique = new LinkedHashMap<>();
        members.forEach((g, ips) -> unique.put(g, List.copyOf(new LinkedHashSet<>(ips))));
        HostView view = new HostView(host, revision, ports, groups, unique, networks);
        return new HostInput(name, view, ipset, comments, ipv6, normalize, ipv4Save, ipv6Save, rejected);
    }

    // ------------------------------------------------------------------ groups and rules

    private static SecurityGroup group(JsonNode sg, String at, boolean normalize, List<RejectedRule> rejected) {
        String id = required(sg, "id", at);
        String name = text(sg, "name", at + ".name", "");
        String project = text(sg, "project_id", at + ".project_id", "oracle-project");
        boolean stateful = bool(sg, "stateful", true);
        ArrayNode rulesNode = array(sg, "rules", at + ".rules");
        List<SecurityGroupRule> rules = new ArrayList<>();
        Map<RuleKey, Integer> keys = new HashMap<>();
        for (int i = 0; i < rulesNode.size(); i++) {
            String where = at + ".rules[" + i + "]";
            JsonNode r = object(rulesNode.get(i), where);
            String ruleId = r.hasNonNull("id") ? text(r, "id", where + ".id", null)
                    : Uuid5.of(ORACLE_NS, "rule/" + id + "/" + i).toString();
            if (!normalize) {
                rules.add(storedRule(r, where, ruleId, id, project));
                continue;
            }
            RuleRequest req = new RuleRequest(ruleId, id, project, value(r.get("direction")),
                    r.has("ethertype") ? value(r.get("ethertype")) : "IPv4", true,
                    value(r.get("protocol")), value(r.get("port_range_min")), value(r.get("port_range_max")),
                    value(r.get("remote_ip_prefix")), optionalText(r, "remote_group_id", where),
                    optionalText(r, "remote_address_group_id", where), text(r, "description", where, ""));
            try {
                SecurityGroupRule rule = SecurityGroupRuleValidator.canonicalize(req);
                Integer dup = keys.putIfAbsent(RuleKey.of(rule), i);
                if (dup != null) {
                    rejected.add(new RejectedRule(id, i, compact(r), "SecurityGroupRuleExists",
                            "duplicate of rule #" + dup + "; key " + RuleKey.of(rule).text()));
                    continue;
                }
                rules.add(rule);
            } catch (NeutronException e) {
                rejected.add(new RejectedRule(id, i, compact(r), e.type().name(), e.getMessage()));
            }
        }
        return new SecurityGroup(id, name, text(sg, "description", at + ".description", ""), project, stateful,
                rules);
    }

    /** A rule exactly as stored (api_normalize false): nothing canonicalised, but it must still be renderable. */
    private static SecurityGroupRule storedRule(JsonNode r, String at, String id, String groupId, String project) {
        Direction d = Direction.parseOrNull(text(r, "direction", at + ".direction", null));
        if (d == null) {
            throw new HostDocumentException(at + ".direction", "must be ingress or egress");
        }
        String e = text(r, "ethertype", at + ".ethertype", "IPv4");
        Ethertype eth = Ethertype.parseOrNull(e);
        if (eth == null) {
            throw new HostDocumentException(at + ".ethertype", "must be IPv4 or IPv6, not '" + e + "'");
        }
        JsonNode p = r.get("protocol");
        String protocol = p == null || p.isNull() ? null : p.asText();
        if (protocol != null && !Protocols.isAny(protocol) && Protocols.number(protocol).isEmpty()) {
            throw new HostDocumentException(at + ".protocol", "unknown protocol '" + protocol
                    + "': not a Neutron name, a number 0-255, or a name in /etc/protocols");
        }
        Integer min = port(r, "port_range_min", at);
        Integer max = port(r, "port_range_max", at);
        Remote remote = Remote.ANY;
        String prefix = optionalText(r, "remote_ip_prefix", at);
        String group = optionalText(r, "remote_group_id", at);
        if (prefix != null) {
            Cidr c = cidr(prefix, at + ".remote_ip_prefix");
            remote = new Remote.IpPrefix(prefix.contains("/") ? prefix : c.text(), c.normalized());
        } else if (group != null) {
            remote = new Remote.Group(group);
        }
        return new SecurityGroupRule(id, groupId, project, d, eth, protocol, min, max, remote,
                text(r, "description", at, ""));
    }

    // ------------------------------------------------------------------ ports and networks

    private static List<Port> ports(JsonNode root, String key) {
        ArrayNode arr = array(root, key, key);
        List<Port> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            out.add(port(object(arr.get(i), key + "[" + i + "]"), key + "[" + i + "]"));
        }
        return out;
    }

    private static Port port(JsonNode p, String at) {
        String id = p.hasNonNull("id") ? text(p, "id", at + ".id", null) : text(p, "device", at + ".device", null);
        if (id == null || id.isEmpty()) {
            throw new HostDocumentException(at + ".id", "a port needs an id");
        }
        String mac = required(p, "mac_address", at);
        if (!MAC.matcher(mac).matches()) {
            throw new HostDocumentException(at + ".mac_address", "'" + mac + "' is not a MAC address");
        }
        List<FixedIp> fixed = new ArrayList<>();
        ArrayNode fips = array(p, "fixed_ips", at + ".fixed_ips");
        for (int i = 0; i < fips.size(); i++) {
            JsonNode f = fips.get(i);
            String where = at + ".fixed_ips[" + i + "]";
            String ip;
            String subnet = null;
            if (f.isObject()) {
                ip = required(f, "ip_address", where);
                subnet = optionalText(f, "subnet_id", where);
            } else {
                ip = address(f, where);
            }
            Cidr c = cidr(ip, where);
            if (ip.contains("/")) {
                throw new HostDocumentException(where, "'" + ip + "' is a CIDR; a fixed IP is one address");
            }
            fixed.add(new FixedIp(c.address(), subnet));
        }
        List<AllowedAddressPair> pairs = new ArrayList<>();
        ArrayNode aaps = array(p, "allowed_address_pairs", at + ".allowed_address_pairs");
        for (int i = 0; i < aaps.size(); i++) {
            String where = at + ".allowed_address_pairs[" + i + "]";
            JsonNode a = object(aaps.get(i), where);
            String ip = required(a, "ip_address", where);
            cidr(ip, where + ".ip_address");
            String pmac = optionalText(a, "mac_address", where);
            if (pmac != null && !MAC.matcher(pmac).matches()) {
                throw new HostDocumentException(where + ".mac_address", "'" + pmac + "' is not a MAC address");
            }
            pairs.add(new AllowedAddressPair(member(ip), pmac == null ? mac : pmac));
        }
        Boolean portSecurity = null;
        if (p.has("port_security_enabled") && !p.get("port_security_enabled").isNull()) {
            portSecurity = bool(p, "port_security_enabled", true);
        }
        List<String> groups = new ArrayList<>();
        ArrayNode sgs = array(p, "security_groups", at + ".security_groups");
        for (int i = 0; i < sgs.size(); i++) {
            if (!sgs.get(i).isTextual()) {
                throw new HostDocumentException(at + ".security_groups[" + i + "]", "must be a group id string");
            }
            groups.add(sgs.get(i).asText());
        }
        return new Port(id, text(p, "name", at + ".name", ""), text(p, "project_id", at, "oracle-project"),
                optionalText(p, "network_id", at), mac, fixed, pairs, portSecurity, groups,
                text(p, "device_owner", at + ".device_owner", "compute:nova"), optionalText(p, "device_id", at),
                optionalText(p, "binding_host_id", at));
    }

    private static Network network(JsonNode n, String at) {
        Integer seg = null;
        JsonNode s = n.get("provider:segmentation_id");
        if (s != null && !s.isNull()) {
            if (!s.canConvertToInt()) {
                throw new HostDocumentException(at + ".provider:segmentation_id", "must be an integer");
            }
            seg = s.asInt();
        }
        return new Network(required(n, "id", at), text(n, "name", at, ""), optionalText(n, "project_id", at),
                bool(n, "admin_state_up", true), optionalText(n, "provider:network_type", at),
                optionalText(n, "provider:physical_network", at), seg);
    }

    // ------------------------------------------------------------------ writing (the change feed's document)

    /**
     * The document for a host view: groups with their stored rules and explicit effective members, the local ports,
     * and the networks; {@code api_normalize} is false because stored rules were validated when they were created.
     */
    public static ObjectNode write(HostView v) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("host", v.host());
        root.put("revision", v.revision());
        root.put("api_normalize", false);
        ArrayNode sgs = root.putArray("security_groups");
        Set<String> written = new LinkedHashSet<>();
        for (SecurityGroup g : v.securityGroups().values()) {
            written.add(g.id());
            ObjectNode o = sgs.addObject();
            o.put("id", g.id());
            o.put("name", g.name());
            o.put("project_id", g.projectId());
            o.put("stateful", g.stateful());
            ArrayNode rules = o.putArray("rules");
            for (SecurityGroupRule r : g.rules()) {
                ObjectNode ro = rules.addObject();
                ro.put("id", r.id());
                ro.put("direction", r.direction().wire());
                ro.put("ethertype", r.ethertype().name());
                putNullable(ro, "protocol", r.protocol());
                putNullable(ro, "port_range_min", r.portRangeMin());
                putNullable(ro, "port_range_max", r.portRangeMax());
                putNullable(ro, "remote_ip_prefix", r.remoteIpPrefix());
                putNullable(ro, "remote_group_id", r.remoteGroupId());
            }
            membersNode(o, v.membersOf(g.id()));
        }
        // groups known only as remote groups still need their members
        v.members().forEach((gid, ips) -> {
            if (!written.contains(gid)) {
                ObjectNode o = sgs.addObject();
                o.put("id", gid);
                o.putArray("rules");
                membersNode(o, ips);
            }
        });
        ArrayNode ports = root.putArray("ports");
        for (Port p : v.ports()) {
            ObjectNode o = ports.addObject();
            o.put("id", p.id());
            putNullable(o, "name", p.name());
            putNullable(o, "project_id", p.projectId());
            putNullable(o, "network_id", p.networkId());
            o.put("mac_address", p.macAddress());
            ArrayNode f = o.putArray("fixed_ips");
            for (FixedIp ip : p.fixedIps()) {
                ObjectNode fo = f.addObject();
                fo.put("ip_address", ip.ipAddress());
                putNullable(fo, "subnet_id", ip.subnetId());
            }
            ArrayNode a = o.putArray("allowed_address_pairs");
            for (AllowedAddressPair pair : p.allowedAddressPairs()) {
                a.addObject().put("ip_address", pair.ipAddress()).put("mac_address", pair.macAddress());
            }
            if (p.portSecurityEnabled() != null) {
                o.put("port_security_enabled", p.portSecurityEnabled());
            }
            ArrayNode g = o.putArray("security_groups");
            p.securityGroups().forEach(g::add);
            o.put("device_owner", p.deviceOwner());
            putNullable(o, "device_id", p.deviceId());
            putNullable(o, "binding_host_id", p.bindingHostId());
        }
        ArrayNode nets = root.putArray("networks");
        for (Network n : v.networks()) {
            ObjectNode o = nets.addObject();
            o.put("id", n.id());
            putNullable(o, "name", n.name());
            putNullable(o, "project_id", n.projectId());
            o.put("admin_state_up", n.adminStateUp());
            putNullable(o, "provider:network_type", n.networkType());
            putNullable(o, "provider:physical_network", n.physicalNetwork());
            putNullable(o, "provider:segmentation_id", n.segmentationId());
        }
        return root;
    }

    private static void membersNode(ObjectNode o, List<String> ips) {
        ObjectNode m = o.putObject("members");
        ArrayNode v4 = m.putArray("IPv4");
        ArrayNode v6 = m.putArray("IPv6");
        for (String ip : ips) {
            (Cidr.parse(ip).ethertype() == Ethertype.IPv4 ? v4 : v6).add(ip);
        }
    }

    private static void putNullable(ObjectNode o, String k, Object v) {
        if (v == null) {
            o.putNull(k);
        } else if (v instanceof Integer i) {
            o.put(k, i);
        } else {
            o.put(k, v.toString());
        }
    }

    // ------------------------------------------------------------------ field helpers

    /** An address as netaddr's AuthenticIPNetwork prints it: no mask stays without one. */
    static String member(String ip) {
        Cidr c = Cidr.parse(ip);
        return ip.contains("/") ? c.text() : c.address();
    }

    private static Object value(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return switch (n.getNodeType()) {
            case STRING -> n.asText();
            case NUMBER -> n.isIntegralNumber() ? (Object) n.longValue() : (Object) n.doubleValue();
            case BOOLEAN -> n.booleanValue();
            default -> n.toString();
        };
    }

    private static String compact(JsonNode n) {
        return n.toString();
    }

    private static Integer port(JsonNode r, String key, String at) {
        JsonNode n = r.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() && !n.isTextual()) {
            throw new HostDocumentException(at + "." + key, "must be an integer");
        }
        try {
            return n.isTextual() ? Integer.parseInt(n.asText().strip()) : n.asInt();
        } catch (NumberFormatException e) {
            throw new HostDocumentException(at + "." + key, "must be an integer");
        }
    }

    private static Cidr cidr(String s, String at) {
        try {
            return Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            throw new HostDocumentException(at, e.getMessage());
        }
    }

    private static String address(JsonNode n, String at) {
        if (n == null || !n.isTextual()) {
            throw new HostDocumentException(at, "must be an IP address string");
        }
        cidr(n.asText(), at);
        return n.asText();
    }

    private static JsonNode object(JsonNode n, String at) {
        if (n == null || !n.isObject()) {
            throw new HostDocumentException(at, "must be an object");
        }
        return n;
    }

    private static ArrayNode array(JsonNode parent, String key, String at) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return MAPPER.createArrayNode();
        }
        if (!n.isArray()) {
            throw new HostDocumentException(at, "must be a list");
        }
        return (ArrayNode) n;
    }

    private static String required(JsonNode parent, String key, String at) {
        String v = text(parent, key, at + "." + key, null);
        if (v == null || v.isEmpty()) {
            throw new HostDocumentException(at + "." + key, "is required");
        }
        return v;
    }

    private static String optionalText(JsonNode parent, String key, String at) {
        String v = text(parent, key, at + "." + key, null);
        return v == null || v.isEmpty() ? null : v;
    }

    private static String text(JsonNode parent, String key, String at, String dflt) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.getNodeType() == JsonNodeType.OBJECT || n.getNodeType() == JsonNodeType.ARRAY) {
            throw new HostDocumentException(at, "must be a string");
        }
        return n.asText();
    }

    private static boolean bool(JsonNode parent, String key, boolean dflt) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new HostDocumentException(key, "must be true or false");
        }
        return n.booleanValue();
    }
}
