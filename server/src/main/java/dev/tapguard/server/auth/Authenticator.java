package dev.tapguard.server.auth;

/** Turns a request's identity headers into a {@link RequestContext}. */
public interface Authenticator {

    /**
     * @param token        X-Auth-Token, or null
     * @param headerLookup the request's headers (for noauth's X-Project-Id / X-Roles)
     * @throws Unauthorized when the credentials are missing or invalid
     * @throws IdentityUnavailable when the identity service cannot be reached
     */
    RequestContext authenticate(String token, java.util.function.Function<String, String> headerLookup);
}
