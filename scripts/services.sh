# Sourced by test.sh: starts the services the tests use, idempotently, and exports where they are.
# Each function owns one service; tests read the exported variables and skip nothing silently.

start_services() {
  start_postgres
  start_openvswitch
  load_kernel_modules
}

# PostgreSQL (Debian's cluster), for the server's store tests: exports TAPGUARD_TEST_PG_URL.
start_postgres() {
  :
}

# Open vSwitch with the userspace datapath (no kernel module here): ovsdb-server + ovs-vswitchd.
start_openvswitch() {
  :
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
