#!/usr/bin/env bash
# `route show` against the kernel's dump: how much printing costs on top of
# receiving. Prints numbers; asserts nothing. Run as root (a network
# namespace of its own; the host's routes are never touched).
#
#   scripts/bench-route-show.sh [SIZES...]   default: 100000 1000000
#   RUNS=7 scripts/bench-route-show.sh 100000
#   NLKIT=/path/to/nlkit scripts/bench-route-show.sh   (no build: that binary)
#
# For each size N, one namespace holds N IPv4 routes (a /32 via a gateway on
# a veth, a metric). Then, in alternating rounds (one run of each per
# round, so that load on the machine falls on all alike):
#   dump_loop          a C program that sends RTM_GETROUTE and only receives
#                      the dump, walking nlmsghdrs (scripts/bench-route-show/)
#   nlkit route show   > /dev/null
#   nlkit -j route show
#   ip route show      (for reference)
# and prints each one's median, min and max wall time (process start
# included) and its ratio to dump_loop's median; then the median CPU time
# (user + system, all threads: nlkit receives a long dump on a second
# thread while the first prints) and its ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-route-show: run as root (network namespaces)" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
runs=${RUNS:-5}

if [ -z "${NLKIT:-}" ]; then
  cargo build --release -q --bin nlkit
  NLKIT="$PWD/target/release/nlkit"
fi
nlkit=$NLKIT
work=$(mktemp -d)
gcc -O2 -o "$work/dump_loop" scripts/bench-route-show/dump_loop.c
ns="nlkit-bench-rs-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# One timing round inside the namespace: "tool nanoseconds" lines.
cat > "$work/round.sh" <<'SH'
# CPU time of the children so far: bash's `times` (second line), taken in
# this shell (not a subshell), read back in microseconds.
t() {
  local a b c d
  times > "$CPU_TMP"; c=$(cpu_read)
  a=$(date +%s%N); "$@" > /dev/null 2>&1; b=$(date +%s%N)
  times > "$CPU_TMP"; d=$(cpu_read)
  echo "$((b - a)) $(((d - c) * 1000))"
}
cpu_read() { tail -1 "$CPU_TMP" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } printf "%d\n", t * 1e6 }'; }
echo "dump_loop $(t "$DUMP_LOOP" 4)"
echo "nlkit $(t "$NLKIT" route show)"
echo "nlkit-j $(t "$NLKIT" -j route show)"
echo "ip $(t ip route show)"
SH

stats() { # name [column] -> "median min max" in seconds (column 2: wall, 3: CPU)
  grep "^$1 " "$work/times" | awk -v c="${2:-2}" '{print $c}' | sort -n |
    awk '{a[NR]=$1} END {printf "%.4f %.4f %.4f\n", a[int((NR+1)/2)]/1e9, a[1]/1e9, a[NR]/1e9}'
}

for n in "${sizes[@]}"; do
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add d0 type veth peer name d1
  ip -n "$ns" link set d0 up; ip -n "$ns" link set d1 up
  ip -n "$ns" addr add 10.255.0.1/16 dev d0
  python3 - "$n" > "$work/routes.batch" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"route add 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 via 10.255.0.2 metric {i % 7}")
PY
  ip -n "$ns" -batch "$work/routes.batch"
  got=$(ip netns exec "$ns" "$work/dump_loop" 4 2>&1 >/dev/null)
  [ "$got" -ge "$n" ] || echo "warning: only $got of $n routes" >&2
  # The bytes each prints, once (not timed).
  tb=$(ip netns exec "$ns" "$nlkit" route show | wc -c)
  jb=$(ip netns exec "$ns" "$nlkit" -j route show | wc -c)
  : > "$work/times"
  for _ in $(seq "$runs"); do
    CPU_TMP="$work/cpu" DUMP_LOOP="$work/dump_loop" NLKIT="$nlkit" ip netns exec "$ns" bash "$work/round.sh" >> "$work/times"
  done
  read -r base _ _ < <(stats dump_loop)
  echo "-- $n routes, $runs alternating rounds (text $tb bytes, JSON $jb bytes)"
  printf '%-22s %9s %9s %9s %8s\n' what median min max ratio
  for tool in dump_loop nlkit nlkit-j ip; do
    read -r med lo hi < <(stats "$tool")
    case $tool in
      nlkit) label="nlkit route show" ;; nlkit-j) label="nlkit -j route show" ;;
      ip) label="ip route show" ;; *) label=$tool ;;
    esac
    printf '%-22s %9s %9s %9s %7.2fx\n' "$label" "$med" "$lo" "$hi" "$(echo "$med / $base" | bc -l)"
  done
  read -r cbase _ _ < <(stats dump_loop 3)
  printf '%-22s %9s %9s %9s %8s\n' "CPU (user+sys)" median min max ratio
  for tool in dump_loop nlkit nlkit-j ip; do
    read -r med lo hi < <(stats "$tool" 3)
    printf '%-22s %9s %9s %9s %7.2fx\n' "$tool" "$med" "$lo" "$hi" "$(echo "$med / $cbase" | bc -l)"
  done
done
