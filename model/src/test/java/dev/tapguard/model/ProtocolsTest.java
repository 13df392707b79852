package dev.tapguard.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The protocol registry: what Neutron writes after -p, what Tapguard writes, and what the kernel reads. */
class ProtocolsTest {

    @ParameterizedTest(name = "{0} -> neutron {1}, tapguard {2}")
    @CsvSource({
        "4, ipencap, ipencap",
        "ipip, ipip, ipencap",
        "94, ipip, ipip",
        "gre, gre, gre",
        "47, gre, gre",
        "tcp, tcp, tcp",
        "6, tcp, tcp",
        "icmpv6, ipv6-icmp, ipv6-icmp",
        "58, ipv6-icmp, ipv6-icmp",
        "ipv6-encap, ipv6, ipv6",
        "pgm, 113, 113",
        "98, encap, encap",
        "200, 200, 200",
        "vrrp, vrrp, vrrp",
        "ip, ip, ip",
        "hopopt, hopopt, hopopt"
    })
    void namesTheProtocolForTheKernel(String api, String neutron, String tapguard) {
        assertThat(Protocols.neutronIptablesName(api)).isEqualTo(neutron);
        assertThat(Protocols.kernelName(api)).isEqualTo(tapguard);
    }

    @Test
    void everyNeutronNameAndNumberIsWrittenAsTheProtocolTheApiMeans() {
        for (String name : Protocols.NEUTRON_NAMES.keySet()) {
            assertThat(Protocols.readsAs(Protocols.kernelName(name)))
                    .as(name).isEqualTo(Protocols.number(name).getAsInt());
        }
        for (int n = 1; n <= 255; n++) {
            String p = String.valueOf(n);
            assertThat(Protocols.readsAs(Protocols.kernelName(p))).as(p).isEqualTo(n);
        }
    }

    @Test
    void anyProtocolHasNoMatch() {
        assertThat(Protocols.kernelName(null)).isNull();
        assertThat(Protocols.kernelName("0")).isNull();
        assertThat(Protocols.kernelName("")).isNull();
    }

    @Test
    void describesTheIpipTrap() {
        assertThat(Protocols.describe(4)).contains("IPPROTO_IPIP").contains("Neutron 'ipip'");
        assertThat(Protocols.describe(94)).contains("IPPROTO_BEETPH").contains("IANA IPIP");
    }
}
