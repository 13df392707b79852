package dev.tapguard.server.auth;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Development mode: the caller states its project and roles in X-Project-Id / X-User-Id / X-Roles. Without
 * X-Project-Id the caller is an admin with no project, as Neutron's noauth strategy makes every request.
 */
public final class NoAuthAuthenticator implements Authenticator {

    @Override
    public RequestContext authenticate(String token, Function<String, String> header) {
        String project = blankToNull(header.apply("X-Project-Id"));
        if (project == null) {
            project = blankToNull(header.apply("X-Tenant-Id"));
        }
        String user = blankToNull(header.apply("X-User-Id"));
        String rolesHeader = blankToNull(header.apply("X-Roles"));
        if (project == null) {
            Set<String> roles = rolesHeader == null ? Set.of("admin", "member", "reader") : roles(rolesHeader);
            return new RequestContext(null, user == null ? "noauth" : user, roles);
        }
        Set<String> roles = rolesHeader == null ? Set.of("member", "reader") : roles(rolesHeader);
        return new RequestContext(project, user == null ? "noauth" : user, roles);
    }

    static Set<String> roles(String csv) {
        Set<String> roles = Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        return implied(roles);
    }

    /** Keystone's default implied roles: admin implies member, member implies reader. */
    static Set<String> implied(Set<String> roles) {
        Set<String> out = new LinkedHashSet<>(roles);
        if (out.contains("admin")) {
            out.add("member");
        }
        if (out.contains("member")) {
            out.add("reader");
        }
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
