package dev.tapguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsTheCapturePlansCommandsAsAShellWould() {
        assertThat(ShellWords.split("tcpdump -nei eth1 'vlan 102 and (host 10.102.0.100 and ip proto 4)'"))
                .containsExactly("tcpdump", "-nei", "eth1", "vlan 102 and (host 10.102.0.100 and ip proto 4)");
        assertThat(ShellWords.split("a \"b \\\"c\\\"\" d\\ e  ''")).containsExactly("a", "b \"c\"", "d e", "");
    }

    @Test
    void anUnbalancedQuoteIsAnError() {
        assertThatThrownBy(() -> ShellWords.split("tcpdump 'vlan")).hasMessageContaining("unbalanced quote");
    }

    @Test
    void aCaptureLineIsShortenedToItsVlanAndIpPart() {
        assertThat(DemoStory.summarize("09:34:46.265875 ca:58:4c:6d:ae:ab > fa:16:3e:00:01:05, ethertype 802.1Q "
                + "(0x8100), length 66: vlan 102, p 0, ethertype IPv4 (0x0800), 10.102.0.100 > 10.102.0.5: "
                + "192.0.2.1 > 192.0.2.2: ICMP echo request, id 0, seq 0, length 8"))
                .isEqualTo("vlan 102: 10.102.0.100 > 10.102.0.5: 192.0.2.1 > 192.0.2.2: ICMP echo request, id 0, seq 0, "
                        + "length 8");
    }
}
