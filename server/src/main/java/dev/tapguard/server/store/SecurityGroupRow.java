package dev.tapguard.server.store;

/** A stored security group (its rules are stored apart). */
public record SecurityGroupRow(String id, String projectId, String name, String description, boolean stateful,
                               long attrId, long revisionNumber, long createdAt, long updatedAt) {

    public SecurityGroupRow withNameDescriptionStateful(String newName, String newDescription, boolean newStateful) {
        return new SecurityGroupRow(id, projectId, newName, newDescription, newStateful, attrId, revisionNumber,
                createdAt, updatedAt);
    }
}
