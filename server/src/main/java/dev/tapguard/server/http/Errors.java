package dev.tapguard.server.http;

import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;

/** Neutron's errors, built with the messages Neutron prints. */
public final class Errors {
    private Errors() {
    }

    public static NeutronException of(NeutronErrorType type, String message) {
        return new NeutronException(type, message);
    }

    public static NeutronException badRequest(String message) {
        return new NeutronException(NeutronErrorType.HTTPBadRequest, message);
    }

    public static NeutronException invalidInput(String message) {
        return new NeutronException(NeutronErrorType.InvalidInput, "Invalid input for operation: " + message + ".");
    }

    public static NeutronException notFound() {
        return new NeutronException(NeutronErrorType.HTTPNotFound, "The resource could not be found.");
    }

    public static NeutronException policy(String rule) {
        return new NeutronException(NeutronErrorType.PolicyNotAuthorized, rule + " is disallowed by policy");
    }

    public static NeutronException securityGroupNotFound(String id) {
        return new NeutronException(NeutronErrorType.SecurityGroupNotFound, "Security group " + id + " does not exist");
    }

    public static NeutronException ruleNotFound(String id) {
        return new NeutronException(NeutronErrorType.SecurityGroupRuleNotFound,
                "Security group rule " + id + " does not exist");
    }

    public static NeutronException networkNotFound(String id) {
        return new NeutronException(NeutronErrorType.NetworkNotFound, "Network " + id + " could not be found.");
    }

    public static NeutronException subnetNotFound(String id) {
        return new NeutronException(NeutronErrorType.SubnetNotFound, "Subnet " + id + " could not be found.");
    }

    public static NeutronException portNotFound(String id) {
        return new NeutronException(NeutronErrorType.PortNotFound, "Port " + id + " could not be found.");
    }

    public static NeutronException overQuota(String resource) {
        return new NeutronException(NeutronErrorType.OverQuota, "Quota exceeded for resources: ['" + resource + "'].");
    }

    public static NeutronException methodNotAllowed() {
        return new NeutronException(NeutronErrorType.HTTPMethodNotAllowed,
                "The server could not comply with the request since it is either malformed or otherwise incorrect.");
    }
}
