#!/bin/bash
# bench/delete-cost.sh (root): what iptables-nft pays to delete one rule under iptables-restore -n, from a
# 4000-rule chain (Neutron's shared dispatch chains at 2000 ports) and from a 62-rule chain (a bucket): by spec, by
# number, or by rewriting the chain; plus an empty commit and an insert at position 1. Median of RUNS (11) runs, in a
# throw-away network namespace.
set -u
NS=tgdel$$
ip netns del $NS 2>/dev/null; ip netns add $NS
work=$(mktemp -d)
trap 'ip netns del $NS; rm -rf "$work"' EXIT
cd "$work"
C='-m comment --comment "Direct traffic from the VM interface to the security group chain."'
gen(){ # chain n
  for i in $(seq 0 $(($2-1))); do t=$(printf 'tap%08x-%02x' $i $((i%256)));
    echo "-A $1 -m physdev --physdev-out $t --physdev-is-bridged $C -j tgx-sg"; done; }
{ echo '*filter'; echo ':tgx-big - [0:0]'; echo ':tgx-bkt - [0:0]'; echo ':tgx-sg - [0:0]'; gen tgx-big 4000; gen tgx-bkt 62; echo COMMIT; } > load.txt
ip netns exec $NS iptables-restore -n < load.txt
rule(){ printf -- '-m physdev --physdev-out %s --physdev-is-bridged %s -j tgx-sg' $(printf 'tap%08x-%02x' $1 $(($1%256))) "$C"; }
echo "iptables $(iptables --version | cut -d" " -f2-), load average: $(cut -d" " -f1-3 /proc/loadavg)"
ms(){ local s=$(date +%s%N); ip netns exec $NS iptables-restore -n -w 10 < $1 || echo FAIL $1 >&2; echo $(( ($(date +%s%N)-s)/100000 )); }
med(){ sort -n | awk '{a[NR]=$1} END {printf "%6.1f", a[int((NR+1)/2)]/10}'; }
N=${RUNS:-11}
case_(){ # label chain idx(0-based) size
  local label=$1 ch=$2 i=$3 size=$4
  printf '*filter\n-D %s %s\nCOMMIT\n' $ch "$(rule $i)" > d_spec.txt
  printf '*filter\n-D %s %d\nCOMMIT\n' $ch $((i+1)) > d_num.txt
  printf '*filter\n-I %s %d %s\nCOMMIT\n' $ch $((i+1)) "$(rule $i)" > back.txt
  { echo '*filter'; echo ":$ch - [0:0]"; gen $ch $size | sed "$((i+1))d"; echo COMMIT; } > rw_del.txt
  { echo '*filter'; echo ":$ch - [0:0]"; gen $ch $size; echo COMMIT; } > rw_full.txt
  a=(); b=(); c=(); for r in $(seq $N); do a+=($(ms d_spec.txt)); ms back.txt >/dev/null; b+=($(ms d_num.txt)); ms back.txt >/dev/null; c+=($(ms rw_del.txt)); ms rw_full.txt > /dev/null; done
  printf '%-34s -D by spec %s ms | -D by number %s ms | chain rewrite %s ms\n' "$label" "$(printf '%s\n' "${a[@]}" | med)" "$(printf '%s\n' "${b[@]}" | med)" "$(printf '%s\n' "${c[@]}" | med)"
}
printf '*filter\nCOMMIT\n' > empty.txt
e=(); for r in $(seq $N); do e+=($(ms empty.txt)); done; echo "empty commit: $(printf '%s\n' "${e[@]}" | med) ms"
printf '*filter\n-I tgx-big 1 %s\nCOMMIT\n' "$(rule 9999)" > ins.txt; printf '*filter\n-D tgx-big 1\nCOMMIT\n' > insdel.txt
x=(); for r in $(seq $N); do x+=($(ms ins.txt)); ms insdel.txt >/dev/null; done; echo "-I at 1 into the 4000-rule chain: $(printf '%s\n' "${x[@]}" | med) ms"
case_ "4000-rule chain, rule #1" tgx-big 0 4000
case_ "4000-rule chain, rule #4000" tgx-big 3999 4000
case_ "62-rule chain (a bucket), rule #31" tgx-bkt 30 62
