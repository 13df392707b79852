package dev.tapguard.server.store;

/** An RBAC policy sharing a security group with a project (or with everyone: target '*'). */
public record RbacRow(String id, String projectId, String objectType, String objectId, String action,
                      String targetTenant, long attrId) {

    public RbacRow withTarget(String target) {
        return new RbacRow(id, projectId, objectType, objectId, action, target, attrId);
    }
}
