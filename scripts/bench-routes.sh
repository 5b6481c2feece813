#!/usr/bin/env bash
# Route benchmarks: nlkit against iproute2, on the same machine in the same
# run, each in a network namespace of its own (as root). Prints numbers;
# asserts nothing.
#
#   scripts/bench-routes.sh            100k and 1M routes
#   scripts/bench-routes.sh --quick    100k only
#
# For each size N: insert N routes from one batch file (`nlkit -batch` and
# `nlkit --force -batch` vs `ip -batch`, wall time and peak RSS), then dump them (`nlkit route show` vs
# `ip route show`, both to /dev/null, median of 5, peak RSS), then the
# library-level numbers (cargo bench route_dump: batch insert in errors-only
# mode, and a dump that parses every attribute against a raw receive loop).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-routes: run as root (network namespaces)" >&2; exit 2; }
sizes=(100000 1000000)
[ "${1:-}" = "--quick" ] && sizes=(100000)
runs=5

cargo build --release --locked -q --bin nlkit
nlkit="$PWD/target/release/nlkit"
work=$(mktemp -d)
ns="nlkit-bench-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

fresh_ns() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip -n "$ns" link set lo up
}

# Prints "seconds peak_kib" of a command run inside the namespace (wall time
# in nanoseconds from date, peak RSS from GNU time).
measure() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/time" ip netns exec "$ns" "$@" >/dev/null
  t1=$(date +%s%N)
  echo "$(echo "($t1 - $t0) / 1000000000" | bc -l | sed 's/^\./0./' | cut -c1-6) $(cat "$work/time")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-28s %10s %12s %10s\n' "what" "seconds" "routes/s" "peak MiB"
for n in "${sizes[@]}"; do
  python3 - "$n" > "$work/routes.batch" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"route add 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 dev lo")
PY
  # nlkit without --force waits for each line's answer (exact: stops at the
  # first failure, as ip); with --force it packs lines into chunks.
  for tool in ip nlkit "nlkit --force"; do
    fresh_ns
    case $tool in
      ip) read -r s kib < <(measure ip -batch "$work/routes.batch") ;;
      nlkit) read -r s kib < <(measure "$nlkit" -batch "$work/routes.batch") ;;
      *) read -r s kib < <(measure "$nlkit" --force -batch "$work/routes.batch") ;;
    esac
    got=$(ip -n "$ns" route show | wc -l)
    [ "$got" -ge "$n" ] || echo "warning: $tool inserted only $got of $n routes" >&2
    printf '%-28s %10s %12.0f %10.1f\n' "$tool -batch add $n" "$s" "$(echo "$n / $s" | bc -l)" "$(echo "$kib / 1024" | bc -l)"
  done
  # The namespace now holds N routes (inserted by nlkit): dump them.
  for tool in ip nlkit; do
    : > "$work/times"; peak=0
    for _ in $(seq $runs); do
      if [ "$tool" = ip ]; then read -r s kib < <(measure ip route show)
      else read -r s kib < <(measure "$nlkit" route show); fi
      echo "$s" >> "$work/times"; [ "$kib" -gt "$peak" ] && peak=$kib
    done
    s=$(median < "$work/times")
    printf '%-28s %10s %12.0f %10.1f\n' "$tool route show ($n)" "$s" "$(echo "$n / $s" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
  done
  echo "-- library (cargo bench route_dump, $n routes):"
  NLKIT_BENCH_ROUTES=$n cargo bench -q -p nlkit --bench route_dump 2>/dev/null | sed 's/^/   /'
done
