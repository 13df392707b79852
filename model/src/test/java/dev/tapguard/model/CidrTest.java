package dev.tapguard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses and prefixes printed as Neutron (netaddr) prints them. */
class CidrTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "10.0.0.5, 10.0.0.5/32, 10.0.0.5/32",
        "192.168.1.10/24, 192.168.1.10/24, 192.168.1.0/24",
        "10.0.0.0/8, 10.0.0.0/8, 10.0.0.0/8",
        "0.0.0.0/0, 0.0.0.0/0, 0.0.0.0/0",
        "2001:DB8::1, 2001:db8::1/128, 2001:db8::1/128",
        "2001:db8:0:0::1/64, 2001:db8::1/64, 2001:db8::/64",
        "::/0, ::/0, ::/0"
    })
    void printsTextAndNormalizedForms(String in, String text, String normalized) {
        Cidr c = Cidr.parse(in);
        assertThat(c.text()).isEqualTo(text);
        assertThat(c.normalized()).isEqualTo(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "foo", "10.0.0", "1.2.3.4/-1", "", "1.2.3.*", "::g"})
    void rejectsWhatIsNotAnAddress(String in) {
        assertThatThrownBy(() -> Cidr.parse(in)).isInstanceOf(IllegalArgumentException.class);
    }
}
