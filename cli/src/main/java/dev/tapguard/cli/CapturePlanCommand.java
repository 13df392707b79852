package dev.tapguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.agent.exec.CommandResult;
import dev.tapguard.agent.exec.CommandRunner;
import dev.tapguard.agent.exec.ProcessCommandRunner;
import dev.tapguard.model.Cidr;
import dev.tapguard.model.Network;
import dev.tapguard.model.Port;
import dev.tapguard.render.HostNames;
import dev.tapguard.render.PortNames;
import dev.tapguard.trace.CapturePlan;
import dev.tapguard.trace.CapturePlanRenderer;
import dev.tapguard.wire.HostDocuments;
import dev.tapguard.wire.HostInput;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tapguard capture-plan}: where to tcpdump a port's traffic, hop by hop. */
@Command(name = "capture-plan", mixinStandardHelpOptions = true,
        description = {"The numbered capture points of a port on a hybrid compute node (VM eth0, tap, qbr, qvb, "
                + "qvo on br-int, the patch to the physical bridge, the NIC), each with a ready-to-paste tcpdump or "
                + "ovs-tcpdump command and the VLAN tag expected there, and where the security group sits.",
            "With --server the port's network (type, segmentation id) and devices come from Tapguard; the local VLAN is "
                + "read with ovs-vsctl when it is on this host, or given with --local-vlan."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:planned", "2:bad input or usage", "3:the server could not be reached or answered with an "
            + "error"})
final class CapturePlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Option(names = "--port", required = true, paramLabel = "ID")
    String port;

    @Option(names = "--local-vlan", paramLabel = "N", description = "the port's VLAN on br-int (default: ask "
            + "ovs-vsctl on this host)")
    Integer localVlan;

    @Option(names = "--network-type", paramLabel = "TYPE", description = "vlan, flat, vxlan, gre, geneve, local "
            + "(default: the network's, else vlan)")
    String networkType;

    @Option(names = "--segmentation-id", paramLabel = "N", description = "the network's VLAN id or VNI")
    Integer segmentationId;

    @Option(names = "--bridge-mapping", paramLabel = "PHYSNET:BRIDGE", description = "the agent's bridge mapping, "
            + "e.g. physnet1:br-ethx (default br-<physnet>)")
    String bridgeMapping;

    @Option(names = "--integration-bridge", paramLabel = "BRIDGE", defaultValue = "br-int")
    String integrationBridge;

    @Option(names = "--nic", paramLabel = "DEV", description = "the physical NIC of the bridge (or the tunnel "
            + "underlay)")
    String nic;

    @Option(names = "--src", paramLabel = "ADDR", description = "narrow the filter to this source")
    String src;

    @Option(names = "--dst", paramLabel = "ADDR", description = "narrow the filter to this destination")
    String dst;

    @Option(names = "--protocol", paramLabel = "N", description = "narrow the filter to this IP protocol number")
    Integer protocol;

    @Option(names = "--dport", paramLabel = "PORT")
    Integer dport;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json")
    String format;

    CommandRunner runner = new ProcessCommandRunner();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("text") && !format.equals("json")) {
            err.println("tapguard capture-plan: --format must be text or json");
            return 2;
        }
        Port p = null;
        Network net = null;
        PortNames names;
        try {
            for (String a : new String[] {src, dst}) {
                if (a != null && !Cidr.isValid(a)) {
                    throw new IllegalArgumentException("'" + a + "' is not an address");
                }
            }
            if (server.url != null) {
                HostInput in = server.client().viewOfPort(port);
                p = in.view().ports().stream().filter(x -> x.id().equals(port)).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("port " + port + " is not in its host's view"));
                String netId = p.networkId();
                net = in.view().networks().stream().filter(n -> n.id().equals(netId)).findFirst().orElse(null);
                names = HostNames.of(in.view().ports().stream().map(Port::id).toList(),
                        in.view().securityGroups().keySet()).port(port);
            } else {
                names = HostNames.neutron(port);
            }
        } catch (TapguardClient.RemoteException e) {
            err.println("tapguard capture-plan: " + e.getMessage());
            return 3;
        } catch (IllegalArgumentException e) {
            err.println("tapguard capture-plan: " + e.getMessage());
            return 2;
        }
        if (networkType != null || segmentationId != null) {
            net = new Network(net == null ? "?" : net.id(), net == null ? null : net.name(), null, true,
                    networkType != null ? networkType.toLowerCase(Locale.ROOT) : net == null ? "vlan"
                    : net.networkType(), net == null ? null : net.physicalNetwork(),
                    segmentationId != null ? segmentationId : net == null ? null : net.segmentationId());
        }
        String physBridge = null;
        if (bridgeMapping != null) {
            int colon = bridgeMapping.indexOf(':');
            if (colon <= 0 || colon == bridgeMapping.length() - 1) {
                err.println("tapguard capture-plan: --bridge-mapping must be PHYSNET:BRIDGE");
                return 2;
            }
            physBridge = bridgeMapping.substring(colon + 1);
        }
        Integer vlan = localVlan != null ? localVlan : askOvs(names.qvo());
        String filter = CapturePlanRenderer.filterFor(src, dst, protocol, dport);
        CapturePlan plan = CapturePlanRenderer.plan(new CapturePlanRenderer.Input(p, names, net, vlan,
                integrationBridge, physBridge, nic, filter));
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            out.println(json(plan));
        } else {
            out.print(CapturePlanRenderer.text(plan));
        }
        out.flush();
        return 0;
    }

    /** The local VLAN from this host's OVS, if there is one with this port (read-only, best effort). */
    private Integer askOvs(String qvo) {
        CommandResult r = runner.run(new dev.tapguard.agent.exec.Command(List.of("ovs-vsctl", "--timeout=2",
                "--if-exists", "get", "Port", qvo, "tag"), null, Duration.ofSeconds(3)));
        if (!r.ok()) {
            return null;
        }
        try {
            return Integer.parseInt(r.stdout().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String json(CapturePlan p) {
        ObjectNode o = HostDocuments.MAPPER.createObjectNode();
        o.put("port_id", p.portId());
        o.put("network_type", p.networkType());
        ArrayNode hops = o.putArray("hops");
        for (CapturePlan.Hop h : p.hops()) {
            ObjectNode x = hops.addObject();
            x.put("hop", h.letter());
            x.put("name", h.name());
            x.put("device", h.device());
            x.put("where", h.where());
            x.put("command", h.command());
            x.put("vlan", h.vlan());
            x.put("note", h.note());
        }
        o.put("security_group", p.securityGroupSits());
        o.put("filter", p.filter());
        o.put("non_tcp_udp_icmp_arp_filter", p.nonTcpUdpIcmpArpFilter());
        ArrayNode notes = o.putArray("notes");
        p.notes().forEach(notes::add);
        try {
            return HostDocuments.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
