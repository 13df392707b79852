package dev.tapguard.server.api;

import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.auth.RequestContext;
import dev.tapguard.server.http.Errors;

/** Checks shared by the resources: write permission and If-Match revision constraints. */
public final class Guards {
    private Guards() {
    }

    /** Readers may not write: {@code rule:<action> is disallowed by policy}. */
    public static void canWrite(RequestContext ctx, String action) {
        if (!ctx.canWrite()) {
            throw Errors.policy("rule:" + action);
        }
    }

    /** {@code If-Match: revision_number=N} (Neutron's revision-if-match): 412 when the object moved on. */
    public static void ifMatch(ApiRequest req, long current) {
        String h = req.ifMatch();
        if (h == null || h.isBlank()) {
            return;
        }
        for (String part : h.split(",")) {
            String p = part.strip();
            if (p.equals("*")) {
                continue;
            }
            if (!p.startsWith("revision_number=")) {
                throw bad();
            }
            long want;
            try {
                want = Long.parseLong(p.substring("revision_number=".length()).strip());
            } catch (NumberFormatException e) {
                throw bad();
            }
            if (want != current) {
                throw new NeutronException(NeutronErrorType.RevisionNumberConstraintFailed,
                        "Constrained to " + want + ", but current revision is " + current);
            }
        }
    }

    private static NeutronException bad() {
        return new NeutronException(NeutronErrorType.BadRequest,
                "Bad if-match request: Revision number etag must be in the format of revision_number=<int>.");
    }
}
