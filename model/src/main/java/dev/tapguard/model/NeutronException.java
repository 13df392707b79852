package dev.tapguard.model;

/** A failure the Neutron API reports as {@code NeutronError}: its type, message and HTTP status. */
public final class NeutronException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final NeutronErrorType type;

    public NeutronException(NeutronErrorType type, String message) {
        super(message);
        this.type = type;
    }

    public NeutronErrorType type() {
        return type;
    }

    public int status() {
        return type.status();
    }

    @Override
    public String toString() {
        return type.name() + ": " + getMessage();
    }
}
