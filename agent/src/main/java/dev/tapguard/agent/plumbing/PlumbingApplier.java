package dev.tapguard.agent.plumbing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapguard.agent.exec.Command;
import dev.tapguard.agent.exec.CommandFailedException;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hybrid plumbing Nova/os-vif and Neutron's OVS agent build for a port: {@code tapX} (adopted; in lab mode a veth
 * whose peer is {@code eth0} of a VM namespace), Linux bridge {@code qbrX}, veth {@code qvbX}/{@code qvoX},
 * {@code qvoX} on br-int tagged with the network's local VLAN, and flows translating local VLAN to segmentation id
 * between br-int and each mapped physical bridge (patch ports {@code int-BR}/{@code phy-BR}). A port whose rules are
 * not applied is tagged with the dead VLAN 4095 and dropped at br-int. Everything is removed when the port goes.
 */
public final class PlumbingApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PlumbingApplier.class);
    public static final String COOKIE = "0x7467";
    static final String PORT_ID = "tapguard-port";
    static final String VLAN_KEY = "tapguard-lvid-";
    private static final Pattern NETNS_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,60}");

    /** Settings: lab mode, br-int's name, the bridge mappings, the datapath type (null = detect). */
    public record Config(boolean lab, String integrationBridge, List<BridgeMapping> mappings, String datapathType) {
        public Config {
            mappings = List.copyOf(mappings);
        }
    }

    /** What a reconcile left: ports plumbed (connected), ports waiting for their tap, errors by port. */
    public record Result(Set<String> plumbed, Set<String> waiting, Map<String, String> errors) {
    }

    /** A port as plumbed: its devices, network and the tag its qvo carries. */
    record Plumbed(String portId, PortNames names, String networkId, int tag, String vmNetns) {
    }

    private final CommandRunner runner;
    private final OvsClient ovs;
    private final Config cfg;
    private final Map<String, BridgeMapping> mappings;
    private final Map<String, Plumbed> plumbed = new LinkedHashMap<>();
    private final Map<String, String> flowsWritten = new HashMap<>();
    private LocalVlans vlans;
    private String datapath;

    public PlumbingApplier(CommandRunner runner, OvsClient ovs, Config cfg) {
        this.runner = runner;
        this.ovs = ovs;
        this.cfg = cfg;
        this.mappings = BridgeMapping.byPhysnet(cfg.mappings());
    }

    public String datapath() {
        return datapath;
    }

    /** Creates br-int and the patch ports (idempotent) and recovers plumbed ports and local VLANs from OVSDB. */
    public void start() {
        datapath = cfg.datapathType() != null ? cfg.datapathType()
                : java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/module/openvswitch")) ? "system"
                : "netdev";
        String brInt = cfg.integrationBridge();
        ovs.vsctl("--may-exist", "add-br", brInt, "--", "set", "Bridge", brInt, "datapath_type=" + datapath,
                "fail_mode=secure");
        Set<String> bridges = new HashSet<>(List.of(ovs.vsctl("list-br").stdout().split("\n")));
        for (BridgeMapping m : mappings.values()) {
            if (!bridges.contains(m.bridge())) {
                throw new IllegalStateException("bridge mapping " + m.physicalNetwork() + ":" + m.bridge()
                        + ": OVS bridge " + m.bridge() + " does not exist (create it and add the physical NIC)");
            }
            ovs.vsctl("--may-exist", "add-port", brInt, m.intPort(), "--", "set", "Interface", m.intPort(),
                    "type=patch", "options:peer=" + m.phyPort(), "--",
                    "--may-exist", "add-port", m.bridge(), m.phyPort(), "--", "set", "Interface", m.phyPort(),
                    "type=patch", "options:peer=" + m.intPort());
        }
        Map<String, Integer> recovered = new HashMap<>();
        for (Map<String, JsonNode> row : ovs.list("Bridge", "name", "external_ids")) {
            if (brInt.equals(OvsClient.string(row.get("name")))) {
                OvsClient.map(row.get("external_ids")).forEach((k, v) -> {
                    if (k.startsWith(VLAN_KEY)) {
                        try {
                            recovered.put(k.substring(VLAN_KEY.length()), Integer.parseInt(v));
                        } catch (NumberFormatException e) {
                            LOG.warn("ignoring bad local VLAN {}={} on {}", k, v, brInt);
                        }
                    }
                });
            }
        }
        vlans = new LocalVlans(recovered);
        Map<String, Integer> tags = new HashMap<>();
        for (Map<String, JsonNode> row : ovs.list("Port", "name", "tag")) {
            Integer tag = OvsClient.optionalInt(row.get("tag"));
            if (tag != null) {
                tags.put(OvsClient.string(row.get("name")), tag);
            }
        }
        for (Map<String, JsonNode> row : ovs.list("Interface", "name", "external_ids")) {
            Map<String, String> ids = OvsClient.map(row.get("external_ids"));
            String port = ids.get(PORT_ID);
            if (port != null) {
                String qvo = OvsClient.string(row.get("name"));
                PortNames n = HostNames.neutron(port);
                PortNames names = new PortNames(port, "tap" + qvo.substring(3), "qvb" + qvo.substring(3),
                        "qbr" + qvo.substring(3), qvo, n.chainStem());
                plumbed.put(port, new Plumbed(port, names, ids.get("tapguard-net"),
                        tags.getOrDefault(qvo, LocalVlans.DEAD_VLAN), ids.get("tapguard-netns")));
            }
        }
        LOG.info("plumbing: {} datapath, {} port(s) and {} local VLAN(s) recovered from OVSDB", datapath,
                plumbed.size(), recovered.size());
    }

    public int plumbedCount() {
        return plumbed.size();
    }

    /** The local VLAN of a network, if it has one. */
    public Integer localVlan(String networkId) {
        return vlans.get(networkId);
    }

    /**
     * Makes the plumbing match the view: ports in {@code blocked} get the dead VLAN and a drop flow, the others their
     * network's local VLAN; ports no longer in the view are unplugged and their devices deleted.
     */
    public Result reconcile(HostView view, Set<String> blocked) {
        HostNames names = HostNames.of(view.ports().stream().map(Port::id).toList(), List.of());
        Map<String, Network> networks = new HashMap<>();
        view.networks().forEach(n -> networks.put(n.id(), n));
        Map<String, String> errors = new LinkedHashMap<>();
        Set<String> waiting = new TreeSet<>();
        Set<String> wanted = new HashSet<>();
        Set<String> devices = null;
        Set<String> namespaces = null;
        for (Port p : view.ports()) {
            wanted.add(p.id());
            PortNames n = names.port(p.id());
            String net = p.networkId() == null ? "" : p.networkId();
            int tag = blocked.contains(p.id()) ? LocalVlans.DEAD_VLAN : vlanFor(net);
            Plumbed have = plumbed.get(p.id());
            try {
                if (have != null && have.names().qvo().equals(n.qvo())) {
                    if (have.tag() != tag || !net.equals(have.networkId())) {
                        ovs.vsctl("set", "Port", n.qvo(), "tag=" + tag, "--", "set", "Interface", n.qvo(),
                                "external_ids:tapguard-net=" + net);
                        plumbed.put(p.id(), new Plumbed(p.id(), n, net, tag, have.vmNetns()));
                    }
                    continue;
                }
                if (devices == null) {
                    devices = devices();
                    namespaces = cfg.lab() ? namespaces() : Set.of();
                }
                String vmNs = null;
                if (cfg.lab()) {
                    vmNs = vmNetns(p);
                    labTap(p, n, vmNs, devices, namespaces);
                } else if (!devices.contains(n.tap())) {
                    waiting.add(p.id());
                    continue;
                }
                plug(p, n, net, tag, vmNs, devices);
                plumbed.put(p.id(), new Plumbed(p.id(), n, net, tag, vmNs));
            } catch (CommandFailedException | IllegalStateException e) {
                errors.put(p.id(), e.getMessage());
            }
        }
        errors.putAll(unplugGone(wanted));
        releaseUnusedVlans();
        try {
            writeFlows(networks);
        } catch (CommandFailedException e) {
            errors.put("(flows)", e.getMessage());
            flowsWritten.clear();
        }
        Set<String> ok = new TreeSet<>(plumbed.keySet());
        ok.removeAll(errors.keySet());
        return new Result(ok, waiting, errors);
    }

    private int vlanFor(String networkId) {
        Integer v = vlans.get(networkId);
        if (v != null) {
            return v;
        }
        int vid = vlans.allocate(networkId);
        ovs.vsctl("br-set-external-id", cfg.integrationBridge(), VLAN_KEY + networkId, Integer.toString(vid));
        LOG.info("network {}: local VLAN {} on {}", networkId, vid, cfg.integrationBridge());
        return vid;
    }

    private void releaseUnusedVlans() {
        Set<String> inUse = new HashSet<>();
        plumbed.values().forEach(p -> inUse.add(p.networkId()));
        for (String net : vlans.networks()) {
            if (!inUse.contains(net)) {
                Integer vid = vlans.release(net);
                ovs.vsctl("br-set-external-id", cfg.integrationBridge(), VLAN_KEY + net);
                LOG.info("network {}: local VLAN {} released", net, vid);
            }
        }
    }

    /** The VM namespace of a lab port: the port's name when it is a usable namespace name, else vm-ID. */
    public static String vmNetns(Port p) {
        String name = p.name();
        if (name != null && NETNS_NAME.matcher(name).matches()) {
            return name;
        }
        return "vm-" + p.id().substring(0, Math.min(11, p.id().length()));
    }

    private void labTap(Port p, PortNames n, String vmNs, Set<String> devices, Set<String> namespaces) {
        if (!namespaces.contains(vmNs)) {
            // namespaces are files bind-mounted in the root mount namespace: never create them inside netns exec
            runner.check(Command.of("ip", "netns", "add", vmNs).inRootNamespace());
            namespaces.add(vmNs);
        }
        if (devices.contains(n.tap())) {
            return;
        }
        String peer = "tgv" + n.tap().substring(3);
        ip("link", "add", n.tap(), "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", vmNs);
        ip("-n", vmNs, "link", "set", peer, "name", "eth0");
        ip("-n", vmNs, "link", "set", "eth0", "address", p.macAddress());
        ip("-n", vmNs, "link", "set", "lo", "up");
        ip("-n", vmNs, "link", "set", "eth0", "up");
        devices.add(n.tap());
    }

    private void plug(Port p, PortNames n, String net, int tag, String vmNs, Set<String> devices) {
        if (!devices.contains(n.qbr())) {
            ip("link", "add", n.qbr(), "type", "bridge", "forward_delay", "0", "stp_state", "0");
        }
        if (!devices.contains(n.qvb())) {
            ip("link", "add", n.qvb(), "type", "veth", "peer", "name", n.qvo());
        }
        if (datapath.equals("netdev")) {
            // the userspace datapath does not complete partial checksums of packets it reads from a veth
            runner.check(Command.of("ethtool", "-K", n.qvb(), "tx", "off"));
            runner.check(Command.of("ethtool", "-K", n.qvo(), "tx", "off"));
        }
        ip("link", "set", n.qvb(), "master", n.qbr());
        ip("link", "set", n.tap(), "master", n.qbr());
        for (String d : List.of(n.qbr(), n.qvb(), n.qvo(), n.tap())) {
            ip("link", "set", d, "up");
        }
        List<String> args = new ArrayList<>(List.of("--may-exist", "add-port", cfg.integrationBridge(), n.qvo(),
                "--", "set", "Port", n.qvo(), "tag=" + tag,
                "--", "set", "Interface", n.qvo(), "external_ids:iface-id=" + p.id(),
                "external_ids:attached-mac=" + p.macAddress(), "external_ids:iface-status=active",
                "external_ids:" + PORT_ID + "=" + p.id(), "external_ids:tapguard-net=" + net));
        if (vmNs != null) {
            args.add("external_ids:tapguard-netns=" + vmNs);
        }
        ovs.vsctl(args);
        LOG.info("port {}: plumbed {} -> {} -> {}/{} -> {} tag {}", p.id(), n.tap(), n.qbr(), n.qvb(), n.qvo(),
                cfg.integrationBridge(), tag);
    }

    private void unplug(Plumbed old) {
        PortNames n = old.names();
        ovs.vsctl("--if-exists", "del-port", cfg.integrationBridge(), n.qvo());
        Set<String> devices = devices();
        if (devices.contains(n.qvb())) {
            ip("link", "del", n.qvb());
        }
        if (devices.contains(n.qbr())) {
            ip("link", "del", n.qbr());
        }
        if (cfg.lab()) {
            if (devices.contains(n.tap())) {
                ip("link", "del", n.tap());
            }
            if (old.vmNetns() != null && namespaces().contains(old.vmNetns())) {
                runner.check(Command.of("ip", "netns", "del", old.vmNetns()).inRootNamespace());
            }
        }
        LOG.info("port {}: unplugged and its devices removed", old.portId());
    }

    /** Unplugs the ports that are no longer in the view (before their rules are removed). */
    public Map<String, String> unplugGone(Set<String> wanted) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (Plumbed old : new ArrayList<>(plumbed.values())) {
            if (!wanted.contains(old.portId())) {
                try {
                    unplug(old);
                    plumbed.remove(old.portId());
                } catch (CommandFailedException e) {
                    errors.put(old.portId(), e.getMessage());
                }
            }
        }
        return errors;
    }

    /** The desired flows of br-int and each physical bridge; written with replace-flows only when they change. */
    private void writeFlows(Map<String, Network> networks) {
        Map<String, List<String>> flows = new LinkedHashMap<>();
        String brInt = cfg.integrationBridge();
        List<String> intFlows = new ArrayList<>();
        intFlows.add(flow("priority=65535,dl_vlan=" + LocalVlans.DEAD_VLAN + ",actions=drop"));
        intFlows.add(flow("priority=0,actions=NORMAL"));
        for (Plumbed p : plumbed.values()) {
            if (p.tag() == LocalVlans.DEAD_VLAN) {
                intFlows.add(flow("priority=2,in_port=" + p.names().qvo() + ",actions=drop"));
            }
        }
        for (BridgeMapping m : mappings.values()) {
            List<String> phy = new ArrayList<>();
            phy.add(flow("priority=0,actions=NORMAL"));
            phy.add(flow("priority=2,in_port=" + m.phyPort() + ",actions=drop"));
            intFlows.add(flow("priority=2,in_port=" + m.intPort() + ",actions=drop"));
            for (String net : new TreeSet<>(vlans.networks())) {
                Network n = networks.get(net);
                if (n == null || !m.physicalNetwork().equals(n.physicalNetwork())) {
                    continue;
                }
                int lvid = vlans.get(net);
                if ("vlan".equals(n.networkType()) && n.segmentationId() != null) {
                    phy.add(flow("priority=4,in_port=" + m.phyPort() + ",dl_vlan=" + lvid
                            + ",actions=mod_vlan_vid:" + n.segmentationId() + ",NORMAL"));
                    intFlows.add(flow("priority=3,in_port=" + m.intPort() + ",dl_vlan=" + n.segmentationId()
                            + ",actions=mod_vlan_vid:" + lvid + ",NORMAL"));
                } else if ("flat".equals(n.networkType())) {
                    phy.add(flow("priority=4,in_port=" + m.phyPort() + ",dl_vlan=" + lvid
                            + ",actions=strip_vlan,NORMAL"));
                    intFlows.add(flow("priority=3,in_port=" + m.intPort() + ",dl_vlan=0xffff"
                            + ",actions=mod_vlan_vid:" + lvid + ",NORMAL"));
                }
            }
            flows.put(m.bridge(), phy);
        }
        flows.put(brInt, intFlows);
        for (Map.Entry<String, List<String>> e : flows.entrySet()) {
            String text = String.join("\n", e.getValue()) + "\n";
            if (!text.equals(flowsWritten.get(e.getKey()))) {
                ovs.ofctl("replace-flows", e.getKey(), text, "-");
                flowsWritten.put(e.getKey(), text);
            }
        }
    }

    private static String flow(String body) {
        return "cookie=" + COOKIE + "," + body;
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("ip");
        argv.addAll(List.of(args));
        runner.check(Command.of(argv));
    }

    private Set<String> devices() {
        Set<String> out = new HashSet<>();
        for (String line : runner.check(Command.of("ip", "-o", "link", "show")).stdout().split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2) {
                String name = parts[1];
                int at = name.indexOf('@');
                out.add(at >= 0 ? name.substring(0, at) : name);
            }
        }
        return out;
    }

    private Set<String> namespaces() {
        Set<String> out = new HashSet<>();
        for (String line : runner.check(Command.of("ip", "netns", "list")).stdout().split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                out.add(s.split("\\s+")[0]);
            }
        }
        return out;
    }
}
