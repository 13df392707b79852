# Sourced by test.sh: starts the services the tests use, idempotently, and exports where they are.
# Each function owns one service; tests read the exported variables and skip nothing silently.

start_services() {
  start_postgres
  start_openvswitch
  load_kernel_modules
}

# PostgreSQL (Debian's cluster), for the server's store tests: exports TAPGUARD_TEST_PG_URL, a JDBC URL of a role
# that may create databases (each test makes its own database and drops it afterwards).
start_postgres() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    echo "services: PostgreSQL is not installed (apt-get install postgresql)" >&2; return 1
  fi
  local ver port
  ver=$(pg_lsclusters -h 2>/dev/null | awk '$2=="main"{print $1; exit}')
  if [ -z "$ver" ]; then
    ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1)
    pg_createcluster "$ver" main >/dev/null
  fi
  port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"{print $3}')
  if ! pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
    pg_ctlcluster "$ver" main start
  fi
  local i
  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || { echo "services: PostgreSQL did not start" >&2; return 1; }
  su postgres -c "psql -q -p $port -v ON_ERROR_STOP=1" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tapguard') THEN
    CREATE ROLE tapguard LOGIN CREATEDB PASSWORD 'tapguard';
  END IF;
END $$;
SELECT 'CREATE DATABASE tapguard OWNER tapguard' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tapguard')\gexec
SQL
  export TAPGUARD_TEST_PG_URL="jdbc:postgresql://127.0.0.1:${port}/tapguard?user=tapguard&password=tapguard"
  echo "services: PostgreSQL $ver on port $port (TAPGUARD_TEST_PG_URL set)"
}

# Open vSwitch: the system's ovsdb-server + ovs-vswitchd (userspace datapath when there is no kernel module), for
# the demo and manual runs. Exports TAPGUARD_OVS_RUNDIR and TAPGUARD_OVS_SCHEMA. The privileged lab tests start
# private instances inside their own namespaces (see agent/.../lab/PrivateOvs.java): with the userspace datapath
# ovs-vswitchd can only use ports in its own network namespace, and the root namespace's links are not ours.
start_openvswitch() {
  local ctl=/usr/share/openvswitch/scripts/ovs-ctl rundir=/var/run/openvswitch
  export TAPGUARD_OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema TAPGUARD_OVS_RUNDIR=$rundir
  if ! command -v ovs-vswitchd >/dev/null 2>&1 || [ ! -x "$ctl" ]; then
    echo "services: Open vSwitch is not installed (apt-get install openvswitch-switch)" >&2; return 1
  fi
  if ! ovs-vsctl --timeout=5 show >/dev/null 2>&1; then
    "$ctl" --system-id=random --no-ovs-vswitchd start >/tmp/tapguard-ovs.log 2>&1 ||
      { cat /tmp/tapguard-ovs.log >&2; echo "services: ovsdb-server did not start" >&2; return 1; }
  fi
  if ! ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1; then
    if [ -d /sys/module/openvswitch ]; then
      "$ctl" --no-ovsdb-server start >>/tmp/tapguard-ovs.log 2>&1
    else
      # no kernel module: ovs-ctl would insist on loading it; the userspace (netdev) datapath needs none
      ovs-vswitchd "unix:$rundir/db.sock" --pidfile --detach --log-file >>/tmp/tapguard-ovs.log 2>&1
    fi || { cat /tmp/tapguard-ovs.log >&2; echo "services: ovs-vswitchd did not start" >&2; return 1; }
  fi
  echo "services: Open vSwitch $(ovs-vsctl --timeout=5 get Open_vSwitch . ovs_version 2>/dev/null) running ($rundir)"
}

# br_netfilter etc. for the privileged namespace tests.
load_kernel_modules() {
  # Idempotent and additive: each module is loaded only when its feature is missing (built-in modules need nothing;
  # a kernel without module files is fine when they are built in). br_netfilter's bridge-nf-call-ip(6)tables switch
  # is per network namespace: the tests set it inside their own namespace.
  local m
  # module name : what shows that the feature is there
  for m in br_netfilter:/proc/sys/net/bridge/bridge-nf-call-iptables \
           nf_conntrack:/proc/sys/net/netfilter/nf_conntrack_max \
           veth: bridge: xt_physdev: xt_set: ip_set: xt_CT: xt_conntrack: xt_state: xt_mac: xt_multiport: \
           xt_comment: xt_iprange: xt_mark: ip6_tables: iptable_raw: ip6table_raw: iptable_filter: ip6table_filter:; do
    local name="${m%%:*}" probe="${m#*:}"
    if [ -n "$probe" ] && [ -e "$probe" ]; then
      continue
    fi
    if [ -d "/sys/module/$name" ]; then
      continue
    fi
    modprobe -q "$name" 2>/dev/null || true
  done
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    echo "services.sh: br_netfilter is not available (no /proc/sys/net/bridge): the privileged bridge tests will fail" >&2
  fi
}
