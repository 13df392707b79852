package dev.tapguard.agent.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapguard.model.Direction;
import dev.tapguard.model.Ethertype;
import dev.tapguard.model.FixedIp;
import dev.tapguard.model.HostView;
import dev.tapguard.model.Port;
import dev.tapguard.model.Remote;
import dev.tapguard.model.SecurityGroup;
import dev.tapguard.model.SecurityGroupRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowPolicyTest {
    static final Port PORT = new Port("p1", "vm", null, "n1", "fa:16:3e:00:00:01", List.of(new FixedIp("10.1.0.5", null)),
            List.of(), true, List.of("g1"), "compute:nova", null, "h");

    static HostView view(SecurityGroupRule... rules) {
        SecurityGroup g = new SecurityGroup("g1", "g", "", null, true, List.of(rules));
        return new HostView("h", 1, List.of(PORT), Map.of("g1", g), Map.of("g2", List.of("10.1.0.7")), List.of());
    }

    static SecurityGroupRule rule(Direction d, String proto, Integer min, Integer max, Remote remote) {
        return new SecurityGroupRule("r", "g1", null, d, Ethertype.IPv4, proto, min, max, remote, null);
    }

    @Test
    void parsesTheOriginalTupleOfConntrackLines() {
        List<ConntrackEntry> es = ConntrackEntry.parseAll("""
                tcp      6 431999 ESTABLISHED src=10.1.0.9 dst=10.1.0.5 sport=40000 dport=22 src=10.1.0.5 dst=10.1.0.9 sport=22 dport=40000 [ASSURED] mark=0 zone=4097 use=1
                unknown  4 599 src=10.2.0.100 dst=10.1.0.5 src=10.1.0.5 dst=10.2.0.100 mark=0 zone=4097 use=1
                icmp     1 29 src=10.1.0.5 dst=10.1.0.9 type=8 code=0 id=77 src=10.1.0.9 dst=10.1.0.5 type=0 code=0 id=77 mark=0 zone=4097 use=1
                conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
                """);
        assertThat(es).containsExactly(
                new ConntrackEntry(6, "10.1.0.9", "10.1.0.5", 40000, 22, null, null, null, 4097),
                new ConntrackEntry(4, "10.2.0.100", "10.1.0.5", null, null, null, null, null, 4097),
                new ConntrackEntry(1, "10.1.0.5", "10.1.0.9", null, null, 8, 0, 77, 4097));
        assertThat(es.get(0).deleteArgs(false)).containsExactly("conntrack", "-D", "-w", "4097", "-f", "ipv4", "-p",
                "6", "-s", "10.1.0.9", "-d", "10.1.0.5", "--sport", "40000", "--dport", "22");
    }

    @Test
    void anIngressFlowIsAllowedOnlyWhileARuleMatchesIt() {
        ConntrackEntry ssh = new ConntrackEntry(6, "10.1.0.9", "10.1.0.5", 40000, 22, null, null, null, 4097);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, "tcp", 22, 22, Remote.ANY)), PORT, ssh))
                .isEqualTo(FlowPolicy.Verdict.ALLOWED);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, "tcp", 80, 80, Remote.ANY)), PORT, ssh))
                .isEqualTo(FlowPolicy.Verdict.NOT_ALLOWED);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, "tcp", null, null,
                new Remote.IpPrefix("10.1.0.0/24", "10.1.0.0/24"))), PORT, ssh)).isEqualTo(FlowPolicy.Verdict.ALLOWED);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, null, null, null, new Remote.Group("g2"))), PORT, ssh))
                .isEqualTo(FlowPolicy.Verdict.NOT_ALLOWED);
        assertThat(FlowPolicy.judge(view(rule(Direction.EGRESS, "tcp", 22, 22, Remote.ANY)), PORT, ssh))
                .isEqualTo(FlowPolicy.Verdict.NOT_ALLOWED);
    }

    @Test
    void ipInIpIsJudgedByProtocolNumberAndEntriesOfOtherAddressesAreLeftAlone() {
        ConntrackEntry ipip = new ConntrackEntry(4, "10.2.0.100", "10.1.0.5", null, null, null, null, null, 4097);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, "ipip", null, null, Remote.ANY)), PORT, ipip))
                .isEqualTo(FlowPolicy.Verdict.ALLOWED);
        assertThat(FlowPolicy.judge(view(rule(Direction.INGRESS, "94", null, null, Remote.ANY)), PORT, ipip))
                .isEqualTo(FlowPolicy.Verdict.NOT_ALLOWED);
        ConntrackEntry other = new ConntrackEntry(6, "10.9.0.1", "10.9.0.2", 1, 2, null, null, null, 4097);
        assertThat(FlowPolicy.judge(view(), PORT, other)).isEqualTo(FlowPolicy.Verdict.NOT_THIS_PORT);
    }
}
