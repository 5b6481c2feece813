#!/usr/bin/env bash
# Monitor benchmark: `nlkit -j monitor route` through a storm of N routes, in
# a network namespace of its own (as root). Prints numbers; asserts nothing.
#
#   scripts/bench-monitor.sh            1M routes
#   scripts/bench-monitor.sh 100000     another size
#
# Two runs, each in a fresh namespace with the monitor writing JSON lines to
# a file:
# - memory: N routes added (`nlkit -batch`) while the monitor keeps up; its
#   peak RSS (VmHWM from /proc/PID/status) once its output has settled, with
#   the view holding N routes;
# - stall: the same storm, but the monitor is stopped (SIGSTOP) for 3 s
#   shortly after the storm starts, so its receive buffer overruns and it
#   must resync; settle time = when its output stops growing minus when the
#   storm ended (both from the clock, the output's mtime to the nanosecond).
# Each run also counts the events printed and those marked resync.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-monitor: run as root (network namespaces)" >&2; exit 2; }
n=${1:-1000000}
stall=3

cargo build --release --locked -q --bin nlkit
nlkit=${NLKIT:-$PWD/target/release/nlkit}
work=$(mktemp -d)
ns="nlkit-bmon-$$"
mon=
cleanup() {
  [ -n "$mon" ] && kill -CONT "$mon" 2>/dev/null && kill "$mon" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$n" > "$work/routes.batch" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"route add 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32 dev lo")
PY

fresh_ns() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  ip -n "$ns" link set lo up
}

now() { date +%s.%N; }

# Waits until $work/out has not grown for 6 s (a resync of 1M routes on a
# busy machine can print nothing for seconds); prints its mtime (seconds,
# ns precision).
settled() {
  python3 - "$work/out" <<'PY'
import os, sys, time
p = sys.argv[1]
last, since = -1, time.monotonic()
while True:
    st = os.stat(p)
    if st.st_size != last:
        last, since = st.st_size, time.monotonic()
    elif time.monotonic() - since >= 6.0:
        break
    time.sleep(0.05)
print(f"{st.st_mtime_ns / 1e9:.3f}")
PY
}

# Applies every event of $work/out to an empty table (the namespace starts with
# no routes but lo's four local ones, which the silent snapshot holds) and
# prints how many routes the consumer ends with.
consumer_routes() {
  python3 - "$work/out" <<'PY'
import json, sys
view = set()
for line in open(sys.argv[1]):
    ev = json.loads(line)
    k = (ev.get("type", "unicast"), ev.get("dst"), ev.get("table", "main"), ev.get("metric", 0))
    if ev["event"] == "new":
        view.add(k)
    else:
        view.discard(k)
print(len(view) + 4)
PY
}

start_monitor() {
  ip netns exec "$ns" "$nlkit" -j monitor route > "$work/out" &
  mon=$!
  sleep 0.5 # joined and first snapshot taken (the namespace is empty)
}

stop_monitor() {
  kill -CONT "$mon" 2>/dev/null || true
  kill "$mon"; wait "$mon" 2>/dev/null || true
  mon=
}

events() {
  local all resync
  all=$(wc -l < "$work/out")
  resync=$(grep -c '"resync":true' "$work/out" || true)
  echo "$all events ($resync from resyncs)"
}

printf '%s\n' "monitor of $n routes (nlkit -j monitor route > file)"

# 1. Memory.
fresh_ns
start_monitor
ip netns exec "$ns" "$nlkit" -batch "$work/routes.batch"
t_end=$(now)
t_settle=$(settled)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$mon/status")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$mon/status")
routes=$(ip -n "$ns" route show table all | wc -l)
printf '%-34s %s; a consumer of them ends with %s routes\n' "memory run:" "$(events)" "$(consumer_routes)"
printf '%-34s %.1f MiB (VmRSS now %.1f MiB), %d routes in the namespace\n' "  monitor peak RSS (VmHWM):" \
  "$(echo "$hwm / 1024" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$routes"
printf '%-34s %.2f s after the storm ended\n' "  output settled:" "$(echo "$t_settle - $t_end" | bc -l)"
stop_monitor

# 2. Storm with a stalled reader.
fresh_ns
start_monitor
t_start=$(now)
( ip netns exec "$ns" "$nlkit" -batch "$work/routes.batch"; now > "$work/t_end" ) &
batch=$!
sleep 0.3
kill -STOP "$mon"
sleep "$stall"
kill -CONT "$mon"
wait "$batch"
t_end=$(cat "$work/t_end")
t_settle=$(settled)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$mon/status")
printf '%-34s %s; a consumer of them ends with %s routes (kernel: %s)\n' "stall run (${stall} s SIGSTOP):" \
  "$(events)" "$(consumer_routes)" "$(ip -n "$ns" route show table all | wc -l)"
printf '%-34s %.2f s\n' "  storm took:" "$(echo "$t_end - $t_start" | bc -l)"
printf '%-34s %.2f s after the storm ended\n' "  output settled:" "$(echo "$t_settle - $t_end" | bc -l)"
printf '%-34s %.1f MiB\n' "  monitor peak RSS (VmHWM):" "$(echo "$hwm / 1024" | bc -l)"
stop_monitor
