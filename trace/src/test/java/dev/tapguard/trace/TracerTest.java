package dev.tapguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroupRule;
import dev.tapguard.netfilter.CtState;
import dev.tapguard.netfilter.Provenance.Role;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.render.RenderResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracerTest {
    static final String G = "5e000003-0000-4000-8000-000000000003";
    static final String P = "d00d0003-3333-4ccc-8ddd-0123456789ab";

    static HostView tunnelsView() {
        List<SecurityGroupRule> rules = new ArrayList<>(Views.defaultEgress(G));
        rules.add(Views.rule("r-ssh", G, Direction.INGRESS, Ethertype.IPv4, "tcp", 22, 22, Remote.ANY));
        rules.add(Views.rule("r-94", G, Direction.INGRESS, Ethertype.IPv4, "94", null, null, Remote.ANY));
        rules.add(Views.rule("r-icmp", G, Direction.INGRESS, Ethertype.IPv4, "icmp", 8, null, Remote.ANY));
        return Views.view(List.of(Views.port(P, "fa:16:3e:00:03:01", List.of("10.3.0.5", "2001:db8:3::5"),
                List.of(G))), List.of(Views.group(G, true, rules)), Map.of());
    }

    static Tracer tracer(HostView v) {
        RenderResult r = HybridIptablesRenderer.render(v, RenderOptions.DEFAULTS);
        return Tracer.forRuleset(r.ruleset(), v);
    }

    @Test
    void ipInIpDeniedNamesTheBeetRuleAndTheFix() {
        Trace t = tracer(tunnelsView()).trace(Probe.builder().port(P, Direction.INGRESS).src("192.0.2.10")
                .protocol("4").build());

        assertThat(t.allowed()).isFalse();
        assertThat(t.decision().provenance().role()).isEqualTo(Role.FALLBACK);
        assertThat(t.explanation().summary()).startsWith("no rule allows IP protocol 4 (ipip) ingress from 192.0.2.10");
        assertThat(t.explanation().closest().get(0).provenance().securityGroupRuleId()).isEqualTo("r-94");
        assertThat(t.explanation().notes()).anyMatch(n -> n.contains("Linux uses 94 for BEET; IP-in-IP is 4"));
        assertThat(t.explanation().fix()).isEqualTo("openstack security group rule create --ingress --ethertype IPv4 "
                + "--protocol 4 --remote-ip 192.0.2.10/32 " + G);
        String text = TraceText.format(t);
        assertThat(text).contains("Verdict: DENIED").contains("fix: openstack security group rule create");
        assertThat(text.indexOf("Verdict:")).isGreaterThan(text.indexOf("neutron-openvswi-sg-fallback"));
    }

    @Test
    void anAllowedPacketNamesTheSecurityGroupRuleNotTheFinalAccept() {
        Trace t = tracer(tunnelsView()).trace(Probe.builder().port(P, Direction.INGRESS).src("192.0.2.10")
                .protocol("tcp").sport(40000).dport(22).build());
        assertThat(t.verdict()).isEqualTo("ALLOWED");
        assertThat(t.decision().provenance().securityGroupRuleId()).isEqualTo("r-ssh");
        assertThat(t.decision().kernelChain()).isEqualTo("neutron-openvswi-sg-chain");
        assertThat(t.decision().reason()).contains("ingress IPv4 protocol tcp port 22 from anywhere");
    }

    @Test
    void anEstablishedReplyIsAllowedByTheStateRule() {
        Trace t = tracer(tunnelsView()).trace(Probe.builder().port(P, Direction.INGRESS).src("192.0.2.10")
                .protocol("udp").sport(53).dport(40000).ct(CtState.ESTABLISHED).build());
        assertThat(t.allowed()).isTrue();
        assertThat(t.decision().provenance().role()).isEqualTo(Role.STATE_ASSOC);
    }

    @Test
    void aSpoofedSourceIsDeniedByAntiSpoofingWithTheAllowedPairs() {
        Trace t = tracer(tunnelsView()).trace(Probe.builder().port(P, Direction.EGRESS).src("10.3.0.99")
                .dst("192.0.2.10").protocol("tcp").sport(1234).dport(80).build());
        assertThat(t.allowed()).isFalse();
        assertThat(t.decision().provenance().role()).isEqualTo(Role.ANTI_SPOOF);
        assertThat(t.explanation().summary()).contains("10.3.0.5/32 with fa:16:3e:00:03:01");
    }

    @Test
    void theTraceOfADumpInfersTheLayoutRoles() {
        HostView v = tunnelsView();
        RenderResult r = HybridIptablesRenderer.render(v, RenderOptions.DEFAULTS);
        var dumps = new java.util.EnumMap<dev.tapguard.netfilter.Family, List<dev.tapguard.netfilter.Table>>(
                dev.tapguard.netfilter.Family.class);
        for (var f : dev.tapguard.netfilter.Family.values()) {
            String text = dev.tapguard.netfilter.IptablesSavePrinter.print(r.ruleset().tables(f));
            dumps.put(f, dev.tapguard.netfilter.IptablesSaveParser.parse(text).tables());
        }
        Tracer dump = Tracer.forDump(dumps, dev.tapguard.netfilter.IpsetDump.EMPTY);
        Trace t = dump.trace(Probe.builder().port(P, Direction.INGRESS).src("192.0.2.10").dst("10.3.0.5")
                .protocol("4").build());
        assertThat(t.allowed()).isFalse();
        assertThat(t.decision().provenance().role()).isEqualTo(Role.FALLBACK);
        assertThat(t.explanation().closest().get(0).ruleText()).isEqualTo("-p ipip -j RETURN");
        assertThat(t.explanation().fix()).endsWith("--remote-ip 192.0.2.10/32 <SECURITY_GROUP>");
        System.out.println(TraceText.format(t));
    }
}
