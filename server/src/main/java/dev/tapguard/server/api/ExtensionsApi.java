package dev.tapguard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tapguard.model.NeutronErrorType;
import dev.tapguard.model.NeutronException;
import dev.tapguard.server.http.Json;
import java.util.List;

/**
 * {@code /v2.0/extensions}: only what this server really implements (clients and tempest decide what to use from
 * this list), with Neutron's names, descriptions and dates; plus the version documents.
 */
public final class ExtensionsApi {
    private ExtensionsApi() {
    }

    record Extension(String alias, String name, String description, String updated) {
    }

    static final List<Extension> EXTENSIONS = List.of(
            new Extension("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs",
                    "2013-07-23T10:00:00-00:00"),
            new Extension("binding", "Port Binding",
                    "Expose port bindings of a virtual port to external application", "2014-02-03T10:00:00-00:00"),
            new Extension("empty-string-filtering", "Empty String Filtering Extension",
                    "Allow filtering by attributes with empty string value", "2018-05-01T10:00:00-00:00"),
            new Extension("filter-validation", "Filter parameters validation",
                    "Provides validation on filter parameters.", "2018-07-04T10:00:00-00:00"),
            new Extension("net-mtu", "Network MTU", "Provides MTU attribute for a network resource.",
                    "2015-03-25T10:00:00-00:00"),
            new Extension("net-mtu-writable", "Network MTU (writable)",
                    "Provides a writable MTU attribute for a network resource.", "2017-07-12T00:00:00-00:00"),
            new Extension("pagination", "Pagination support", "Extension that indicates that pagination is enabled.",
                    "2016-06-12T00:00:00-00:00"),
            new Extension("port-security", "Port Security", "Provides port security", "2012-07-23T10:00:00-00:00"),
            new Extension("port-security-groups-filtering", "Port filtering on security groups",
                    "Provides security groups filtering when listing ports", "2018-01-09T09:00:00-00:00"),
            new Extension("project-id", "project_id field enabled",
                    "Extension that indicates that project_id field is enabled.", "2016-09-09T09:09:09-09:09"),
            new Extension("provider", "Provider Network", "Expose mapping of virtual networks to physical networks",
                    "2012-09-07T10:00:00-00:00"),
            new Extension("quotas", "Quota management support", "Expose functions for quotas management per project",
                    "2012-07-29T10:00:00-00:00"),
            new Extension("rbac-policies", "RBAC Policies",
                    "Allows creation and modification of policies that control tenant access to resources.",
                    "2015-06-17T12:15:12-00:00"),
            new Extension("rbac-security-groups", "Add security_group type to network RBAC",
                    "Add security_group type to network RBAC", "2019-02-14T00:00:00-00:00"),
            new Extension("revision-if-match", "If-Match constraints based on revision_number",
                    "Extension indicating that If-Match based on revision_number is supported.",
                    "2016-12-11T00:00:00-00:00"),
            new Extension("security-group", "security-group", "The security groups extension.",
                    "2012-10-05T10:00:00-00:00"),
            new Extension("security-groups-normalized-cidr", "Normalized CIDR field for security group rules",
                    "Add new field with normalized remote_ip_prefix cidr in SG rule", "2020-07-28T10:00:00-00:00"),
            new Extension("sorting", "Sorting support", "Extension that indicates that sorting is enabled.",
                    "2016-06-12T00:00:00-00:00"),
            new Extension("standard-attr-description", "standard-attr-description",
                    "Extension to add descriptions to standard attributes", "2016-02-10T10:00:00-00:00"),
            new Extension("standard-attr-revisions", "Resource revision numbers",
                    "This extension will display the revision number of neutron resources.",
                    "2016-04-11T10:00:00-00:00"),
            new Extension("standard-attr-timestamp", "Resource timestamps",
                    "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard "
                            + "attributes.", "2016-09-12T10:00:00-00:00"),
            new Extension("stateful-security-group", "Stateful security group",
                    "Indicates if the security group is stateful or not", "2019-11-26T09:00:00-00:00"));

    private static ObjectNode json(Extension e) {
        ObjectNode o = Json.object();
        o.put("name", e.name());
        o.put("alias", e.alias());
        o.put("description", e.description());
        o.put("updated", e.updated());
        o.putArray("links");
        return o;
    }

    public static ApiResponse list() {
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("extensions");
        EXTENSIONS.forEach(e -> arr.add(json(e)));
        return ApiResponse.ok(out);
    }

    public static ApiResponse show(String alias) {
        return EXTENSIONS.stream().filter(e -> e.alias().equals(alias)).findFirst()
                .map(e -> ApiResponse.ok(SecurityGroupsApi.wrap("extension", json(e))))
                .orElseThrow(() -> new NeutronException(NeutronErrorType.HTTPNotFound,
                        "Extension with alias " + alias + " does not exist"));
    }

    /** {@code GET /}: the version list (no token needed). */
    public static ApiResponse versions(String rootUrl) {
        ObjectNode out = Json.object();
        ObjectNode v = out.putArray("versions").addObject();
        v.put("id", "v2.0");
        v.put("status", "CURRENT");
        v.putArray("links").addObject().put("rel", "self").put("href", rootUrl + "/v2.0/");
        return ApiResponse.ok(out);
    }

    /** {@code GET /v2.0/}: the core resources. */
    public static ApiResponse resources(String rootUrl) {
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("resources");
        for (String[] r : new String[][] {{"network", "networks"}, {"subnet", "subnets"}, {"port", "ports"}}) {
            ObjectNode o = arr.addObject();
            o.putArray("links").addObject().put("rel", "self").put("href", rootUrl + "/v2.0/" + r[1]);
            o.put("name", r[0]);
            o.put("collection", r[1]);
        }
        return ApiResponse.ok(out);
    }
}
