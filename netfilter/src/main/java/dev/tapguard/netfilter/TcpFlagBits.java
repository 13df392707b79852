package dev.tapguard.netfilter;

import java.util.Locale;

/** TCP flag lists as iptables writes them ({@code SYN,ACK}, {@code ALL}, {@code NONE}) to and from bits. */
public final class TcpFlagBits {
    private TcpFlagBits() {
    }

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    public static int parse(String list) {
        int bits = 0;
        for (String f : list.toUpperCase(Locale.ROOT).split(",")) {
            switch (f) {
                case "ALL" -> bits |= 0xff;
                case "NONE" -> {
                }
                default -> {
                    int i = java.util.Arrays.asList(NAMES).indexOf(f);
                    if (i < 0) {
                        throw new IllegalArgumentException("unknown TCP flag '" + f + "'");
                    }
                    bits |= 1 << i;
                }
            }
        }
        return bits;
    }

    public static String format(int bits) {
        if (bits == 0) {
            return "NONE";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(NAMES[i]);
            }
        }
        return sb.toString();
    }
}
