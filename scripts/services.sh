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
  :
}
