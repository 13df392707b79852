package dev.tapguard.agent.plumbing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalVlansTest {

    @Test
    void recoveredIdsStayAndNewNetworksGetTheLowestFreeOne() {
        LocalVlans v = new LocalVlans(Map.of("net-a", 2));
        assertThat(v.allocate("net-a")).isEqualTo(2);
        assertThat(v.allocate("net-b")).isEqualTo(1);
        assertThat(v.allocate("net-c")).isEqualTo(3);
        v.release("net-b");
        assertThat(v.allocate("net-d")).isEqualTo(1);
    }

    @Test
    void bridgeMappingsAreParsedStrictly() {
        assertThat(BridgeMapping.parse("physnet1:br-ethx").intPort()).isEqualTo("int-br-ethx");
        assertThat(BridgeMapping.parse("physnet1:br-ethx").phyPort()).isEqualTo("phy-br-ethx");
        assertThatThrownBy(() -> BridgeMapping.parse("br-ethx")).hasMessageContaining("physnet1:br-ethx");
        assertThatThrownBy(() -> BridgeMapping.parse("p:bridge-name-too-long")).hasMessageContaining("11");
    }
}
