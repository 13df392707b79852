package dev.tapguard.model;

/**
 * Neutron's error catalogue: each constant is named exactly as the Neutron exception class the API reports in
 * {@code {"NeutronError": {"type": ...}}}, with the HTTP status Neutron's fault map gives it.
 */
@SuppressWarnings("java:S115") // constant names are Neutron's class names, on purpose
public enum NeutronErrorType {
    // 400: InvalidInput / BadRequest
    HTTPBadRequest(400),
    BadRequest(400),
    MalformedRequestBody(400),
    InvalidInput(400),
    InvalidCIDR(400),
    SecurityGroupInvalidPortRange(400),
    SecurityGroupInvalidProtocolForPort(400),
    SecurityGroupInvalidPortValue(400),
    SecurityGroupInvalidIcmpValue(400),
    SecurityGroupEthertypeConflictWithProtocol(400),
    SecurityGroupMissingIcmpType(400),
    SecurityGroupRuleInvalidProtocol(400),
    SecurityGroupRulesNotSingleTenant(400),
    SecurityGroupMultipleRemoteEntites(400),
    SecurityGroupProtocolRequiredWithPorts(400),
    SecurityGroupNotSingleGroupRules(400),
    SecurityGroupRuleParameterConflict(400),
    SecurityGroupRuleInvalidEtherType(400),
    PortSecurityAndIPRequiredForSecurityGroups(400),
    DuplicateAddressPairInRequest(400),
    AllowedAddressPairsMissingIP(400),
    InvalidIpForNetwork(400),
    InvalidMacAddress(400),
    InvalidIpForSubnet(400),
    InvalidAllocationPool(400),
    AllowedAddressPairExhausted(400),
    // 401 / 403
    HTTPUnauthorized(401),
    PolicyNotAuthorized(403),
    // 404
    HTTPNotFound(404),
    SecurityGroupNotFound(404),
    SecurityGroupRuleNotFound(404),
    NetworkNotFound(404),
    PortNotFound(404),
    AddressGroupNotFound(404),
    SubnetNotFound(404),
    RbacPolicyNotFound(404),
    // 409: InUse / Conflict
    SecurityGroupInUse(409),
    SecurityGroupCannotRemoveDefault(409),
    SecurityGroupCannotUpdateDefault(409),
    SecurityGroupDefaultAlreadyExists(409),
    DuplicateSecurityGroupRuleInPost(409),
    SecurityGroupRuleExists(409),
    SecurityGroupRuleInUse(409),
    SecurityGroupConflict(409),
    PortSecurityPortHasSecurityGroup(409),
    AddressPairAndPortSecurityRequired(409),
    IpAddressAlreadyAllocated(409),
    MacAddressInUse(409),
    NetworkInUse(409),
    SubnetInUse(409),
    VlanIdInUse(409),
    TunnelIdInUse(409),
    IpAddressGenerationFailure(409),
    RbacPolicyInUse(409),
    DuplicateRbacPolicy(409),
    OverQuota(409),
    // 412 / 413 / 415
    RevisionNumberConstraintFailed(412),
    HTTPRequestEntityTooLarge(413),
    HTTPUnsupportedMediaType(415),
    HTTPMethodNotAllowed(405),
    // 5xx: only for failures that are not the client's
    HTTPInternalServerError(500),
    HTTPServiceUnavailable(503);

    private final int status;

    NeutronErrorType(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
