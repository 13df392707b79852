package dev.tapguard.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.render.HybridIptablesRenderer;
import dev.tapguard.render.RenderOptions;
import dev.tapguard.testkit.Hosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EffectiveRulesViewTest {
    private static final String PORT = "c453f952-a701-4405-bd4e-35def0ef10ec";
    private static final String OTHER = "77777777-a701-4405-bd4e-35def0ef10ec";
    private static final String GROUP = "37976451-7292-44d4-963e-1bd3b92746a1";
    private static final String RULE = "dbec3a55-e3ba-4d56-982e-8060f8a02e56";

    private static HostView view() {
        Port p = Hosts.port(PORT, "fa:16:3e:31:bd:08", List.of(GROUP), "10.1.0.10");
        Port other = Hosts.port(OTHER, "fa:16:3e:31:bd:09", List.of(GROUP), "10.1.0.11");
        return Hosts.view(List.of(p, other), List.of(Hosts.group(GROUP, true,
                Hosts.rule(RULE, Direction.INGRESS, Ethertype.IPv4, "4", null, null, new Remote.IpPrefix("0.0.0.0/0", "0.0.0.0/0")),
                Hosts.rule("egress-v4", Direction.EGRESS, Ethertype.IPv4, null, null, null, Remote.ANY))), Map.of());
    }

    private static ObjectNode doc(boolean admin) {
        HostView v = view();
        return EffectiveRulesView.of(v, HybridIptablesRenderer.render(v, RenderOptions.DEFAULTS),
                RenderOptions.DEFAULTS, PORT, admin);
    }

    @Test
    void thePortsOwnChainsComePerDirectionAndFamilyWithEachRuleTracedToItsSecurityGroupRule() {
        ObjectNode d = doc(true);
        assertThat(d.path("host").asText()).isEqualTo("host1");
        List<String> own = new ArrayList<>();
        d.path("chains").forEach(c -> {
            if (!c.path("direction").asText().equals("dispatch")) {
                own.add(c.path("family").asText() + " " + c.path("name").asText() + " " + c.path("direction").asText());
            }
        });
        assertThat(own).containsExactly(
                "IPv4 neutron-openvswi-ic453f952-a ingress", "IPv4 neutron-openvswi-oc453f952-a egress",
                "IPv4 neutron-openvswi-sc453f952-a spoof", "IPv6 neutron-openvswi-ic453f952-a ingress",
                "IPv6 neutron-openvswi-oc453f952-a egress");
        JsonNode ingress = d.path("chains").get(0).path("rules");
        JsonNode sgRule = null;
        for (JsonNode r : ingress) {
            if (RULE.equals(r.path("security_group_rule_id").asText(null))) {
                sgRule = r;
            }
        }
        assertThat(sgRule).isNotNull();
        assertThat(sgRule.path("text").asText()).isEqualTo("-p ipencap -j RETURN");
        assertThat(sgRule.path("security_group_id").asText()).isEqualTo(GROUP);
        assertThat(sgRule.path("role").asText()).isEqualTo("SECURITY_GROUP_RULE");
        // numbered as iptables numbers them
        for (int i = 0; i < ingress.size(); i++) {
            assertThat(ingress.get(i).path("index").asInt()).isEqualTo(i + 1);
        }
    }

    @Test
    void dispatchChainsKeepOnlyThisPortsRulesWithTheirKernelNumbers() {
        ObjectNode d = doc(true);
        boolean sawSgChain = false;
        for (JsonNode c : d.path("chains")) {
            if (!c.path("direction").asText().equals("dispatch")) {
                continue;
            }
            for (JsonNode r : c.path("rules")) {
                assertThat(r.path("text").asText()).doesNotContain(OTHER.substring(0, 10));
            }
            if (c.path("name").asText().equals("neutron-openvswi-sg-chain") && c.path("family").asText().equals("IPv4")) {
                sawSgChain = true;
                // the other port's two jumps come first in sg-chain
                assertThat(c.path("rules").get(0).path("index").asInt()).isGreaterThan(1);
            }
        }
        assertThat(sawSgChain).isTrue();
    }

    @Test
    void theHostIsShownToAdminsOnlyAsNeutronShowsBindingHostId() {
        assertThat(doc(false).path("host").isNull()).isTrue();
    }

    @Test
    void aPortNotOnTheHostHasNoChainsAndANote() {
        HostView v = view();
        ObjectNode d = EffectiveRulesView.of(v, HybridIptablesRenderer.render(v, RenderOptions.DEFAULTS),
                RenderOptions.DEFAULTS, "not-here", true);
        assertThat(d.path("chains")).isEmpty();
        assertThat(d.path("note").asText()).contains("not bound");
    }
}
