#!/usr/bin/env bash
# Security-group rule create/list throughput: Tapguard (H2, Keystone auth through the kit's fake Keystone) against
# the real neutron-server (../shared/conformance/start_neutron.sh), same client, same machine, one after the other.
#   bench/run-api-bench.sh [RULES=500] [LISTS=50] [CLIENTS=1]
# Uses ports 9696 (neutron), 5000 (fake keystone) and 19796 (tapguard); state in a temp dir, removed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${TAPGUARD_SHARED:-$root/../shared}/conformance"
RULES=${1:-500}; LISTS=${2:-50}; CLIENTS=${3:-1}
. "$root/scripts/java-env.sh"
(cd "$root" && mvn -B -q -DskipTests package -pl cli,bench -am >/dev/null)
export CONFORMANCE_STATE; CONFORMANCE_STATE=$(mktemp -d /tmp/tgsrv-bench-XXXXXX)
tg_pid=""
cleanup() {
  [ -n "$tg_pid" ] && kill "$tg_pid" 2>/dev/null || true
  # neutron-server's API workers are children of the recorded pid: stop them by their ids too
  local children=""
  if [ -f "$CONFORMANCE_STATE/neutron.pid" ]; then
    children=$(pgrep -P "$(cat "$CONFORMANCE_STATE/neutron.pid")" 2>/dev/null || true)
  fi
  "$kit/stop_neutron.sh" >/dev/null 2>&1 || true
  for child in $children; do kill "$child" 2>/dev/null || true; done
  sleep 2
  # orphaned workers may ignore SIGTERM: they must not keep port 9696
  for child in $children; do kill -9 "$child" 2>/dev/null || true; done
  rm -rf "$CONFORMANCE_STATE"
}
trap cleanup EXIT
"$kit/start_neutron.sh" --fresh
"$root/cli/target/tapguard/bin/tapguard" server --listen 127.0.0.1:19796 \
  --db "jdbc:h2:file:$CONFORMANCE_STATE/tapguard" --keystone-url http://127.0.0.1:5000/v3 \
  >"$CONFORMANCE_STATE/tapguard.log" 2>&1 &
tg_pid=$!
"$kit/start_keystone.sh" http://127.0.0.1:19796/ >/dev/null
for i in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:19796/healthz && break; sleep 0.5; done
# tempest-admin1 of the kit's accounts.yaml: valid at the fake Keystone, decoded by Neutron's faketoken filter
TOKEN="fk1:51bc16f8f7ab56eaba72e92279f92fd8:f01ea18870a15432a683baeb6d31f12a:admin,member,reader"
java -cp "$root/bench/target/classes:$root/bench/target/lib/*" dev.tapguard.bench.ApiThroughputBench \
  --token "$TOKEN" --rules "$RULES" --lists "$LISTS" --clients "$CLIENTS" \
  tapguard=http://127.0.0.1:19796 neutron=http://127.0.0.1:9696
