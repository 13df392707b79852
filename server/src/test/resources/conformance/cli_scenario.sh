#!/bin/bash
# The openstack CLI scenario of issue 3, against one Neutron-API endpoint: creates a group, adds rules with
# --protocol 4 / ipip / 94, tcp 22, icmp type+code and IPv6, lists them as JSON, deletes them and the group.
#   cli_scenario.sh ENDPOINT TOKEN NAME
# Prints each command and its output (stderr folded in) and exit status; the caller compares two transcripts.
EP=$1; TOKEN=$2; NAME=$3
OS=/usr/bin/openstack
unset OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_TOKEN OS_AUTH_TYPE OS_ENDPOINT
A=(--os-auth-type admin_token --os-endpoint "$EP" --os-token "$TOKEN")
run() { echo "\$ openstack $*"; "$OS" "${A[@]}" "$@" 2>&1; echo "[rc=$?]"; }
run security group create "$NAME" --description "cli scenario" -f json
run security group rule create --protocol 4 --ingress --remote-ip 10.0.0.0/8 "$NAME" -f json
run security group rule create --protocol ipip --ingress "$NAME" -f json
run security group rule create --protocol 94 --ingress --remote-ip 10.0.0.0/8 "$NAME" -f json
run security group rule create --protocol tcp --dst-port 22 --ingress --remote-ip 192.168.0.0/16 "$NAME" -f json
run security group rule create --protocol icmp --icmp-type 8 --icmp-code 0 "$NAME" -f json
run security group rule create --ethertype IPv6 --protocol ipv6-icmp --egress "$NAME" -f json
run security group rule create --ethertype IPv6 --protocol tcp --dst-port 443 --remote-ip 2001:db8::/32 "$NAME" -f json
run security group rule create --protocol ipip --ingress --remote-ip 10.0.0.0/8 "$NAME"
run security group rule create --protocol 256 "$NAME"
run security group rule list "$NAME" -f json
run security group show "$NAME" -f json
for id in $("$OS" "${A[@]}" security group rule list "$NAME" --ingress -f value -c ID); do
  run security group rule delete "$id"
done
run security group rule list "$NAME" -f json
run security group delete "$NAME"
run security group show "$NAME" -f json
