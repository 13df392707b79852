package dev.tapguard.server.auth;

/** No valid credentials: answered as keystonemiddleware answers, 401 with its own error body. */
public final class Unauthorized extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unauthorized(String why) {
        super(why);
    }
}
