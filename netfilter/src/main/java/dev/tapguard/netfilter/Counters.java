package dev.tapguard.netfilter;

/** Packet and byte counters of a rule or a chain policy, as the kernel reports them. */
public record Counters(long packets, long bytes) {
    public static final Counters ZERO = new Counters(0, 0);

    public Counters plus(Counters o) {
        return new Counters(packets + o.packets, bytes + o.bytes);
    }
}
