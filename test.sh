#!/usr/bin/env bash
# Tapguard's test command. On a fresh Debian machine (as root) it installs what the tests need, starts what they use,
# builds, runs every test (unit, property, golden, integration and privileged namespace tests), and ends with the
# test runner's summary. Idempotent: run it as often as you like.
#   ./test.sh                 everything
#   ./test.sh -pl render      extra arguments go to Maven (e.g. one module, -Dtest=..., -DexcludedGroups=privileged)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# ---------------------------------------------------------------- packages (Debian)
packages=(
  maven                       # the build
  iptables ipset conntrack    # the kernel parts the agent drives
  openvswitch-switch          # br-int / br-ethx (userspace netdev datapath in tests)
  iproute2 ethtool tcpdump procps  # namespaces, veth offload, captures, sysctl/kill
  python3-scapy               # raw packets (IP protocol 4, 47, spoofed sources)
  postgresql                  # the production store, tested beside H2
  python3-neutron tempest neutron-tempest-plugin python3-openstackclient  # conformance peers and clients
  chromium chromium-driver    # the web console's browser tests
  curl jq
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages: ${missing[*]} (run as root to install them)" >&2; exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/tapguard-apt.log 2>&1 ||
    { tail -n 30 /tmp/tapguard-apt.log >&2; echo "test.sh: apt-get install failed" >&2; exit 1; }
fi

# ---------------------------------------------------------------- JDK >= 21
# shellcheck source=scripts/java-env.sh
. "$root/scripts/java-env.sh"
echo "test.sh: JAVA_HOME=$JAVA_HOME ($(java -version 2>&1 | head -n1))"

# ---------------------------------------------------------------- services the tests use
# shellcheck source=scripts/services.sh
. "$root/scripts/services.sh"
start_services

# ---------------------------------------------------------------- build and test
status=0
# the summary reads the reports: none may be left from an earlier run (a test removed since would still count)
rm -rf "$root"/*/target/surefire-reports
mvn -B -ntp -Dstyle.color=never verify "$@" || status=$?
"$root/scripts/test-summary.sh" || true
exit "$status"
