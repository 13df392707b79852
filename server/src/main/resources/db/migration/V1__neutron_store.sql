-- Tapguard's store: the Neutron resources the API serves, in SQL that H2 and PostgreSQL both run unchanged.
-- Times are epoch milliseconds (BIGINT); ordering columns (attr_id) give creation order, as Neutron's standard_attr_id.

-- One row: the global revision (bumped by every write transaction, which also serialises writers) and the next
-- standard_attr_id to hand out.
CREATE TABLE tg_meta (
    id           INTEGER PRIMARY KEY,
    revision     BIGINT  NOT NULL,
    next_attr_id BIGINT  NOT NULL
);
INSERT INTO tg_meta (id, revision, next_attr_id) VALUES (1, 0, 1);

CREATE TABLE security_groups (
    id              VARCHAR(36)  PRIMARY KEY,
    project_id      VARCHAR(255) NOT NULL,
    name            VARCHAR(255) NOT NULL,
    description     VARCHAR(255),
    stateful        BOOLEAN      NOT NULL,
    attr_id         BIGINT       NOT NULL,
    revision_number BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL
);
CREATE INDEX security_groups_project ON security_groups (project_id);

-- A project's "default" group: at most one per project.
CREATE TABLE default_security_groups (
    project_id        VARCHAR(255) PRIMARY KEY,
    security_group_id VARCHAR(36)  NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE
);

CREATE TABLE security_group_rules (
    id                      VARCHAR(36)   PRIMARY KEY,
    security_group_id       VARCHAR(36)   NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
    project_id              VARCHAR(255)  NOT NULL,
    direction               VARCHAR(16)   NOT NULL,
    ethertype               VARCHAR(16)   NOT NULL,
    protocol                VARCHAR(255),
    port_range_min          INTEGER,
    port_range_max          INTEGER,
    remote_ip_prefix        VARCHAR(255),
    normalized_cidr         VARCHAR(255),
    remote_group_id         VARCHAR(36)   REFERENCES security_groups (id) ON DELETE CASCADE,
    remote_address_group_id VARCHAR(36),
    description             VARCHAR(255),
    rule_key                VARCHAR(2048) NOT NULL,
    attr_id                 BIGINT        NOT NULL,
    revision_number         BIGINT        NOT NULL,
    created_at              BIGINT        NOT NULL,
    updated_at              BIGINT        NOT NULL
);
-- Neutron's duplicate-rule key (RuleKey, which includes the group id): the database itself refuses a duplicate.
CREATE UNIQUE INDEX security_group_rules_key ON security_group_rules (rule_key);
CREATE INDEX security_group_rules_group ON security_group_rules (security_group_id);
CREATE INDEX security_group_rules_project ON security_group_rules (project_id);
CREATE INDEX security_group_rules_remote ON security_group_rules (remote_group_id);

CREATE TABLE networks (
    id                    VARCHAR(36)  PRIMARY KEY,
    project_id            VARCHAR(255) NOT NULL,
    name                  VARCHAR(255) NOT NULL,
    description           VARCHAR(255),
    admin_state_up        BOOLEAN      NOT NULL,
    shared                BOOLEAN      NOT NULL,
    router_external       BOOLEAN      NOT NULL,
    mtu                   INTEGER      NOT NULL,
    port_security_enabled BOOLEAN      NOT NULL,
    network_type          VARCHAR(32)  NOT NULL,
    physical_network      VARCHAR(64),
    segmentation_id       INTEGER,
    attr_id               BIGINT       NOT NULL,
    revision_number       BIGINT       NOT NULL,
    created_at            BIGINT       NOT NULL,
    updated_at            BIGINT       NOT NULL
);
CREATE INDEX networks_project ON networks (project_id);

CREATE TABLE subnets (
    id                VARCHAR(36)   PRIMARY KEY,
    project_id        VARCHAR(255)  NOT NULL,
    network_id        VARCHAR(36)   NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    name              VARCHAR(255)  NOT NULL,
    description       VARCHAR(255),
    ip_version        INTEGER       NOT NULL,
    cidr              VARCHAR(64)   NOT NULL,
    gateway_ip        VARCHAR(64),
    enable_dhcp       BOOLEAN       NOT NULL,
    ipv6_ra_mode      VARCHAR(32),
    ipv6_address_mode VARCHAR(32),
    allocation_pools  VARCHAR(8192) NOT NULL,
    dns_nameservers   VARCHAR(8192) NOT NULL,
    host_routes       VARCHAR(8192) NOT NULL,
    attr_id           BIGINT        NOT NULL,
    revision_number   BIGINT        NOT NULL,
    created_at        BIGINT        NOT NULL,
    updated_at        BIGINT        NOT NULL
);
CREATE INDEX subnets_network ON subnets (network_id);

CREATE TABLE ports (
    id                    VARCHAR(36)   PRIMARY KEY,
    project_id            VARCHAR(255)  NOT NULL,
    network_id            VARCHAR(36)   NOT NULL REFERENCES networks (id),
    name                  VARCHAR(255)  NOT NULL,
    description           VARCHAR(255),
    mac_address           VARCHAR(32)   NOT NULL,
    admin_state_up        BOOLEAN       NOT NULL,
    status                VARCHAR(16)   NOT NULL,
    device_id             VARCHAR(255)  NOT NULL,
    device_owner          VARCHAR(255)  NOT NULL,
    port_security_enabled BOOLEAN       NOT NULL,
    binding_host_id       VARCHAR(255)  NOT NULL,
    binding_profile       VARCHAR(8192) NOT NULL,
    binding_vnic_type     VARCHAR(32)   NOT NULL,
    attr_id               BIGINT        NOT NULL,
    revision_number       BIGINT        NOT NULL,
    created_at            BIGINT        NOT NULL,
    updated_at            BIGINT        NOT NULL
);
CREATE UNIQUE INDEX ports_network_mac ON ports (network_id, mac_address);
CREATE INDEX ports_project ON ports (project_id);
CREATE INDEX ports_host ON ports (binding_host_id);

CREATE TABLE port_fixed_ips (
    port_id    VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    subnet_id  VARCHAR(36) NOT NULL REFERENCES subnets (id),
    network_id VARCHAR(36) NOT NULL,
    ip_address VARCHAR(64) NOT NULL,
    seq        INTEGER     NOT NULL,
    PRIMARY KEY (subnet_id, ip_address)
);
CREATE INDEX port_fixed_ips_port ON port_fixed_ips (port_id);

CREATE TABLE port_allowed_address_pairs (
    port_id     VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    ip_address  VARCHAR(64) NOT NULL,
    mac_address VARCHAR(32) NOT NULL,
    seq         INTEGER     NOT NULL,
    PRIMARY KEY (port_id, ip_address, mac_address)
);

CREATE TABLE port_security_groups (
    port_id           VARCHAR(36) NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    security_group_id VARCHAR(36) NOT NULL REFERENCES security_groups (id),
    seq               INTEGER     NOT NULL,
    PRIMARY KEY (port_id, security_group_id)
);
CREATE INDEX port_security_groups_group ON port_security_groups (security_group_id);

CREATE TABLE quotas (
    project_id    VARCHAR(255) NOT NULL,
    resource_name VARCHAR(64)  NOT NULL,
    hard_limit    BIGINT       NOT NULL,
    PRIMARY KEY (project_id, resource_name)
);

CREATE TABLE rbac_policies (
    id            VARCHAR(36)  PRIMARY KEY,
    project_id    VARCHAR(255) NOT NULL,
    object_type   VARCHAR(32)  NOT NULL,
    object_id     VARCHAR(36)  NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
    rbac_action   VARCHAR(32)  NOT NULL,
    target_tenant VARCHAR(255) NOT NULL,
    attr_id       BIGINT       NOT NULL
);
CREATE UNIQUE INDEX rbac_policies_unique ON rbac_policies (object_id, rbac_action, target_tenant);
