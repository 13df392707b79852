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

# Open vSwitch with the userspace datapath (no kernel module here): ovsdb-server + ovs-vswitchd.
start_openvswitch() {
  :
}

# br_netfilter etc. for the privileged namespace tests.
load_kernel_modules() {
  :
}
