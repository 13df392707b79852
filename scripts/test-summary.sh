#!/usr/bin/env bash
# Prints the test runner's summary over every module's surefire reports: per module, then the total.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
total_t=0; total_f=0; total_e=0; total_s=0
printf '\n%-12s %7s %9s %7s %8s\n' module tests failures errors skipped
for dir in "$root"/*/target/surefire-reports; do
  [ -d "$dir" ] || continue
  m=$(basename "$(dirname "$(dirname "$dir")")")
  t=0; f=0; e=0; s=0
  for x in "$dir"/TEST-*.xml; do
    [ -f "$x" ] || continue
    head=$(grep -o -m1 '<testsuite [^>]*>' "$x")
    for k in tests failures errors skipped; do
      v=$(printf '%s' "$head" | sed -nE "s/.* $k=\"([0-9]+)\".*/\1/p"); v=${v:-0}
      case $k in tests) t=$((t+v));; failures) f=$((f+v));; errors) e=$((e+v));; skipped) s=$((s+v));; esac
    done
  done
  printf '%-12s %7d %9d %7d %8d\n' "$m" "$t" "$f" "$e" "$s"
  total_t=$((total_t+t)); total_f=$((total_f+f)); total_e=$((total_e+e)); total_s=$((total_s+s))
done
printf '%-12s %7d %9d %7d %8d\n' TOTAL "$total_t" "$total_f" "$total_e" "$total_s"
if [ $((total_f+total_e)) -eq 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi
