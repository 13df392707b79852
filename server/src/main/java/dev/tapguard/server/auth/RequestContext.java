package dev.tapguard.server.auth;

import java.util.Set;

/**
 * Who is asking: the project and user the token belongs to and their roles. {@code projectId} is null only for
 * noauth requests without X-Project-Id, which Neutron treats as an admin with no project.
 */
public record RequestContext(String projectId, String userId, Set<String> roles) {

    public RequestContext {
        roles = Set.copyOf(roles);
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    /** The role agents use for the change feed (and admins). */
    public boolean isService() {
        return roles.contains("service");
    }

    /** Neutron's defaults: readers, members and admins may read; a service may read everything. */
    public boolean canRead() {
        return isAdmin() || roles.contains("member") || roles.contains("reader") || isService();
    }

    /** Members and admins may write. */
    public boolean canWrite() {
        return isAdmin() || roles.contains("member");
    }

    /** Sees every project's objects. */
    public boolean seesAll() {
        return isAdmin() || isService();
    }

    /** True when this caller owns objects of {@code project} (or is an admin). */
    public boolean owns(String project) {
        return isAdmin() || (projectId != null && projectId.equals(project));
    }
}
