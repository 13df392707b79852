package dev.tapguard.wire;

/** A host document that cannot be read: which field, and why. */
public final class HostDocumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public HostDocumentException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
