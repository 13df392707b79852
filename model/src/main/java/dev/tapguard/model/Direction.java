package dev.tapguard.model;

/** Neutron's rule direction; ingress is towards the VM. */
public enum Direction {
    INGRESS("ingress"),
    EGRESS("egress");

    private final String wire;

    Direction(String wire) {
        this.wire = wire;
    }

    /** The API spelling, "ingress" or "egress". */
    public String wire() {
        return wire;
    }

    public static Direction parseOrNull(String value) {
        if ("ingress".equals(value)) {
            return INGRESS;
        }
        if ("egress".equals(value)) {
            return EGRESS;
        }
        return null;
    }

    @Override
    public String toString() {
        return wire;
    }
}
