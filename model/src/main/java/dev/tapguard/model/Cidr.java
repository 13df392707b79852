package dev.tapguard.model;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.math.BigInteger;
import java.util.Comparator;

/**
 * An address with a prefix length, printed as Neutron (netaddr) prints it: {@code text} keeps host bits
 * ({@code 192.168.1.10/24}), {@code normalized} clears them ({@code 192.168.1.0/24}); a bare address gets /32 or /128.
 */
public record Cidr(String text, String normalized, String address, Ethertype ethertype, int prefixLength,
                   BigInteger addressValue) {

    private static final IPAddressStringParameters STRICT = new IPAddressStringParameters.Builder()
            .allowEmpty(false).allowAll(false).allowSingleSegment(false).allowWildcardedSeparator(false)
            .getIPv4AddressParametersBuilder().allow_inet_aton(false)
            .setRangeOptions(IPAddressStringParameters.RangeParameters.NO_RANGE).getParentBuilder()
            .getIPv6AddressParametersBuilder()
            .setRangeOptions(IPAddressStringParameters.RangeParameters.NO_RANGE).getParentBuilder()
            .toParams();

    /** Orders as the oracle orders members: family, numeric address, prefix length, text. */
    public static final Comparator<Cidr> MEMBER_ORDER = Comparator
            .comparingInt((Cidr c) -> c.ethertype().version())
            .thenComparing(Cidr::addressValue)
            .thenComparingInt(Cidr::prefixLength)
            .thenComparing(Cidr::text);

    /** Parses an address or CIDR; throws IllegalArgumentException naming the input when it is not one. */
    public static Cidr parse(String input) {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("'" + input + "' is not a valid IP address or CIDR");
        }
        IPAddress ip;
        try {
            ip = new IPAddressString(input.strip(), STRICT).toAddress();
        } catch (AddressStringException | RuntimeException e) {
            throw new IllegalArgumentException("'" + input + "' is not a valid IP address or CIDR", e);
        }
        Integer prefix = ip.getNetworkPrefixLength();
        int len = prefix == null ? ip.getBitCount() : prefix;
        if (prefix == null && ip.isMultiple()) {
            throw new IllegalArgumentException("'" + input + "' is not a valid IP address or CIDR");
        }
        // "10.0.0.0/24" parses as the whole block, "10.0.0.5/24" as one address with a prefix: either way the
        // address as written is the lowest of what was parsed
        IPAddress host = ip.getLower().withoutPrefixLength();
        Ethertype family = ip.isIPv4() ? Ethertype.IPv4 : Ethertype.IPv6;
        String addr = format(host);
        IPAddress net = host.setPrefixLength(len, false).toPrefixBlock().getLower().withoutPrefixLength();
        return new Cidr(addr + "/" + len, format(net) + "/" + len, addr, family, len, host.getValue());
    }

    /** True when input parses as an address or CIDR. */
    public static boolean isValid(String input) {
        try {
            parse(input);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Neutron's {@code ip_to_cidr}: a bare address gets /32 or /128, a CIDR is kept exactly as written. */
    public static String ipToCidr(String input) {
        return input.contains("/") ? input : parse(input).text();
    }

    public boolean isAny() {
        return prefixLength == 0;
    }

    /** True when {@code ip} (a bare address) lies inside this prefix. */
    public boolean contains(String ip) {
        IPAddress net = new IPAddressString(normalized).getAddress();
        IPAddress a = new IPAddressString(ip).getAddress();
        return a != null && net != null && net.getIPVersion() == a.getIPVersion()
                && net.toPrefixBlock().contains(a.withoutPrefixLength());
    }

    private static String format(IPAddress a) {
        if (a.isIPv4()) {
            return a.toNormalizedString();
        }
        // netaddr prints IPv4-mapped IPv6 with a dotted tail, as inet_ntop does
        if (a.toIPv6().isIPv4Mapped()) {
            return "::ffff:" + a.toIPv6().getEmbeddedIPv4Address().toNormalizedString();
        }
        return a.toCompressedString();
    }
}
