package dev.tapguard.wire;

/** A rule of the input that Neutron's API would have refused, with Neutron's error type and message. */
public record RejectedRule(String securityGroupId, int index, String rule, String errorType, String message) {
    @Override
    public String toString() {
        return "API rejected rule #" + index + " of sg " + securityGroupId + " (" + rule + "): " + errorType + ": "
                + message;
    }
}
