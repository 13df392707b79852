package dev.tapguard.server.auth;

/** Keystone could not be asked (down, or answered nonsense): the request gets 503, never a guess. */
public final class IdentityUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdentityUnavailable(String why, Throwable cause) {
        super(why, cause);
    }
}
