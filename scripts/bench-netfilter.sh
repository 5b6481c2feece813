#!/usr/bin/env bash
# Netfilter benchmarks, in network namespaces of their own (run as root):
#   queue      packets/s through one NFQUEUE queue, small UDP packets on
#              loopback, closed loop (a window of 256 in flight), accept:
#              nlkit with per-packet verdicts, nlkit with batch verdicts,
#              the usual libnetfilter_queue client (one verdict per packet),
#              and the same traffic with no queue rule (the ceiling).
#   dump       `nlkit conntrack -L` against `conntrack -L` on 200k entries:
#              wall time and peak RSS.
#   create     creating entries: nlkit (one batched request stream, the
#              library's conntrack::batch through examples/conntrack_create)
#              against `conntrack -I` once per entry.
# Runs alternate (A B A B ...) in the same run; every figure is printed.
# Usage: scripts/bench-netfilter.sh [queue|dump|create|all] (env: N, ROUNDS, CT_N, CT_I)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
N=${N:-200000}          # queue packets per run
ROUNDS=${ROUNDS:-3}
CT_N=${CT_N:-200000}    # conntrack entries for the dump
CT_C=${CT_C:-100000}    # entries nlkit creates (batched)
CT_I=${CT_I:-2000}      # entries made by conntrack -I (one process each; the rate is scaled to CT_C)

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
cargo build --release -q -p nlkit-cli
cargo build --release -q -p nlkit --example conntrack_create
NLKIT=$PWD/target/release/nlkit
CREATE=$PWD/target/release/examples/conntrack_create
tmp=$(mktemp -d)
ns=nlkit-bench-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
gcc -O2 -o "$tmp/udp_window" scripts/bench-netfilter/udp_window.c
gcc -O2 -o "$tmp/nfq_client" scripts/bench-netfilter/nfq_client.c -lnetfilter_queue -lnfnetlink
inns() { ip netns exec "$ns" "$@"; }
fresh_ns() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  inns ip link set lo up
}

wait_bound() { # queue number
  for _ in $(seq 200); do
    inns awk -v q="$1" '$1 == q { f = 1 } END { exit !f }' /proc/net/netfilter/nfnetlink_queue && return 0
    sleep 0.02
  done
  echo "queue $1 never bound" >&2; return 1
}

queue_run() { # consumer kind -> packets/s
  local kind=$1 pid=
  case $kind in
    ceiling) ;;
    nlkit) inns "$NLKIT" nfqueue --queue 0 --maxlen 4096 --quiet -c "$N" 2>/dev/null & pid=$! ;;
    nlkit-batch) inns "$NLKIT" nfqueue --queue 0 --maxlen 4096 --batch 64 --quiet -c "$N" 2>/dev/null & pid=$! ;;
    libnfq) inns "$tmp/nfq_client" "$N" 2>/dev/null & pid=$! ;;
  esac
  [ -n "$pid" ] && wait_bound 0
  local pps
  pps=$(inns "$tmp/udp_window" "$N" 256 5000)
  [ -n "$pid" ] && wait "$pid"
  echo "$pps"
}

bench_queue() {
  echo "== NFQUEUE: $N small UDP packets per run, window 256, accept, $ROUNDS rounds (alternating)"
  fresh_ns
  : >"$tmp/queue"
  for r in $(seq "$ROUNDS"); do
    for kind in ceiling nlkit nlkit-batch libnfq; do
      inns iptables -F OUTPUT
      if [ "$kind" != ceiling ]; then
        inns iptables -A OUTPUT -p udp --dport 5000 -j NFQUEUE --queue-num 0
      fi
      pps=$(queue_run "$kind")
      printf '  round %d  %-12s %10s packets/s\n' "$r" "$kind" "$pps"
      echo "$r $kind $pps" >>"$tmp/queue"
    done
  done
  # Ratios within each round (the runs next to each other share the machine's
  # load), then their median and spread over the rounds.
  awk '{ v[$1, $2] = $3; if ($1 > n) n = $1 }
    function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    function show(name, num, den,   r, i, lo, hi) {
      for (i = 1; i <= n; i++) { r[i] = v[i, num] / v[i, den] }
      lo = hi = r[1]; for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
      printf "  %-26s median %.2fx (%.2f .. %.2f over %d rounds)\n", name, med(r, n), lo, hi, n }
    END {
      show("nlkit batch / libnfq", "nlkit-batch", "libnfq")
      show("nlkit per-packet / libnfq", "nlkit", "libnfq")
      show("nlkit batch / ceiling", "nlkit-batch", "ceiling")
      show("nlkit per-packet / ceiling", "nlkit", "ceiling")
      show("libnfq / ceiling", "libnfq", "ceiling")
    }' "$tmp/queue"
}

median() { # file of numbers -> the median
  sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_dump() {
  echo "== conntrack -L of $CT_N entries, $ROUNDS rounds (alternating): wall seconds, peak RSS KiB"
  fresh_ns
  inns nft add table inet t
  inns nft add chain inet t c '{ type filter hook output priority 0; }'
  inns nft add rule inet t c ct state new counter
  # nf_conntrack_max is global (read-only in a netns): 262144 on the test host is enough.
  inns sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
  inns ip addr add 10.77.0.1/8 dev lo
  inns python3 crates/nlkit-cli/tests/fixtures/netfilter/udp_flood.py "$CT_N" >/dev/null
  echo "  entries: $(inns conntrack -C)"
  for r in $(seq "$ROUNDS"); do
    for tool in conntrack nlkit; do
      if [ $tool = conntrack ]; then cmd=(conntrack -L); else cmd=("$NLKIT" conntrack -L); fi
      /usr/bin/time -f "%e %M" -o "$tmp/t" ip netns exec "$ns" "${cmd[@]}" >"$tmp/out.$tool" 2>/dev/null
      read -r secs rss <"$tmp/t"
      printf '  round %d  %-10s %6ss %8s KiB  %s lines\n' "$r" "$tool" "$secs" "$rss" "$(wc -l <"$tmp/out.$tool")"
      echo "$secs" >>"$tmp/times.$tool"
    done
  done
  local mc mn
  mc=$(median "$tmp/times.conntrack")
  mn=$(median "$tmp/times.nlkit")
  awk -v c="$mc" -v n="$mn" 'BEGIN {
    printf "  median: conntrack %.3fs, nlkit %.3fs: nlkit takes %.2fx conntrack'"'"'s time\n", c, n, n / c }'
}

bench_create() {
  echo "== creating entries: nlkit batched ($CT_C) against conntrack -I per entry ($CT_I)"
  fresh_ns
  local t0 t1
  t0=$(date +%s.%N)
  inns "$CREATE" "$CT_C" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$CT_C" 'BEGIN { printf "  nlkit:        %d entries in %.3fs: %.0f entries/s\n", n, b - a, n / (b - a) }'
  echo "  entries: $(inns conntrack -C)"
  inns conntrack -F 2>/dev/null
  t0=$(date +%s.%N)
  for i in $(seq "$CT_I"); do
    inns conntrack -I -p udp -s 10.88.$((i / 250)).$((i % 250 + 1)) -d 10.89.0.1 --sport 1000 --dport 53 -t 3600 2>/dev/null
  done
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$CT_I" -v m="$CT_C" 'BEGIN {
    printf "  conntrack -I: %d entries in %.3fs: %.0f entries/s (%.1fs for %d at that rate)\n", n, b - a, n / (b - a), (b - a) / n * m, m }'
}

case $what in
  queue) bench_queue ;;
  dump) bench_dump ;;
  create) bench_create ;;
  all) bench_queue; bench_dump; bench_create ;;
  *) echo "usage: $0 [queue|dump|create|all]" >&2; exit 2 ;;
esac
