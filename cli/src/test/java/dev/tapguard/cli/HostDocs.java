package dev.tapguard.cli;

/** Host documents (the oracle's schema) used by the CLI tests. */
final class HostDocs {
    private HostDocs() {
    }

    static final String PORT = "d00d0003-3333-4ccc-8ddd-0123456789ab";
    static final String GROUP = "5e000003-0000-4000-8000-000000000003";

    /** One port with a group allowing SSH, echo and protocol 94 (the article's mistake). */
    static final String TUNNELS = """
            {
              "name": "tunnels",
              "host": "compute-1",
              "security_groups": [
                {"id": "5e000003-0000-4000-8000-000000000003", "name": "tunnels", "stateful": true,
                 "rules": [
                   {"id": "r-ssh", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                    "port_range_min": 22, "port_range_max": 22},
                   {"id": "r-94", "direction": "ingress", "ethertype": "IPv4", "protocol": "94"},
                   {"id": "r-echo", "direction": "ingress", "ethertype": "IPv4", "protocol": "icmp",
                    "port_range_min": 8},
                   {"id": "r-e4", "direction": "egress", "ethertype": "IPv4"},
                   {"id": "r-e6", "direction": "egress", "ethertype": "IPv6"}
                 ]}
              ],
              "ports": [
                {"id": "d00d0003-3333-4ccc-8ddd-0123456789ab", "mac_address": "fa:16:3e:00:03:01",
                 "network_id": "0e7e0003-0000-4000-8000-000000000003",
                 "fixed_ips": ["10.3.0.5", "2001:db8:3::5"], "port_security_enabled": true,
                 "security_groups": ["5e000003-0000-4000-8000-000000000003"], "device_owner": "compute:nova"}
              ],
              "networks": [
                {"id": "0e7e0003-0000-4000-8000-000000000003", "name": "n3", "provider:network_type": "vlan",
                 "provider:physical_network": "physnet1", "provider:segmentation_id": 102}
              ]
            }
            """;
}
