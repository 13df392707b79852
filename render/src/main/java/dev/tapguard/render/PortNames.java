package dev.tapguard.render;

/**
 * The kernel names of one port: its VM-side tap, its bridge-side qvb veth, the Linux bridge and OVS-side veth
 * (qbr/qvo, for plumbing and capture plans), and the 10-character stem of its chain names.
 */
public record PortNames(String portId, String tap, String qvb, String qbr, String qvo, String chainStem) {

    /** A wrapped per-port chain: {@code <wrap>-i<stem>}, {@code -o}, {@code -s}. */
    public String chain(String wrap, char letter) {
        return wrap + "-" + letter + chainStem;
    }
}
