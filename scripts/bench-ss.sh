#!/usr/bin/env bash
# Benchmark: `nlkit ss -tan` against iproute2's `ss -tan` over N TCP sockets
# (loopback connections, N/2 of them, so N sockets plus the listeners) in a
# network namespace of this script's own. Prints wall time and peak RSS of
# each tool, alternating runs, and checks that both print the same bytes.
#
#   scripts/bench-ss.sh [SOCKETS] [RUNS]     (as root; defaults 100000 5)
#
# Bounded and self-stopping: the connections belong to one Python process
# that exits at the end, and the namespace goes away with it.
set -euo pipefail
SOCKETS=${1:-100000}
RUNS=${2:-5}
cd "$(dirname "$0")/.."
cargo build --release -q --bin nlkit
NLKIT=$PWD/target/release/nlkit
exec unshare -n -- bash -c '
set -euo pipefail
ip link set lo up
sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
exec python3 - "$@"' bash "$NLKIT" "$SOCKETS" "$RUNS" <<'PY'
import atexit, os, resource, signal, socket, subprocess, sys, time
nlkit, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conns = n // 2
# several listeners (addresses 127.0.0.1-4, two ports each) so that no
# (source, destination) pair runs out of ephemeral ports
listeners = []
for a in range(1, 5):
    for port in (5001, 5002):
        l = socket.socket()
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind((f"127.0.0.{a}", port))
        l.listen(4096)
        l.setblocking(False)
        listeners.append(l)
# the open-files limit is per process (and its hard limit may be low):
# spread the sockets over worker processes that each stay below it
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
per = max(1, (hard - 64) // 2)
t0 = time.time()
workers = []
left = conns
w = 0
while left > 0:
    k = min(per, left)
    r, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        keep = []
        for i in range(k):
            l = listeners[(w + i) % len(listeners)]
            c = socket.socket()
            c.connect(l.getsockname())
            keep.append(c)
            while True:
                try:
                    s, _ = l.accept()
                    keep.append(s)
                    break
                except BlockingIOError:
                    pass
        os.write(wr, b"1")
        signal.pause()
        os._exit(0)
    os.close(wr)
    os.read(r, 1)  # one worker at a time: they share the listeners
    os.close(r)
    workers.append(pid)
    left -= k
    w += 1

def stop():
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass

atexit.register(stop)
print(f"{conns * 2} TCP sockets ({conns} connections, {len(workers)} processes) + {len(listeners)} listeners in {time.time() - t0:.1f} s")

def run(cmd):
    # GNU time forks the tool from a small process: its peak RSS is the tool's
    # own (a child forked from this Python would start with Python's)
    rss_file = f"/tmp/bench-ss.{os.getpid()}.rss"
    t = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, stdout=subprocess.PIPE)
    out = p.stdout.read()
    if p.wait() != 0:
        sys.exit(f"{cmd} failed: {p.returncode}")
    dt = time.perf_counter() - t
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
    os.unlink(rss_file)
    return dt, rss, out

res = {"ss": [], "nlkit": []}
outs = {}
for r in range(runs):
    for name, cmd in (("ss", ["ss", "-tan"]), ("nlkit", [nlkit, "ss", "-tan"])):
        dt, rss, out = run(cmd)
        res[name].append((dt, rss))
        outs[name] = out
same = outs["ss"] == outs["nlkit"]
lines = outs["ss"].count(b"\n")
print(f"output: {lines} lines, {len(outs['ss'])} bytes; identical: {same}")
for name in ("ss", "nlkit"):
    ts = sorted(d for d, _ in res[name])
    rss = max(m for _, m in res[name])
    print(f"{name:6} -tan: median {ts[len(ts)//2]*1000:.0f} ms (min {ts[0]*1000:.0f}, max {ts[-1]*1000:.0f}), peak RSS {rss/1024:.1f} MiB")
ms = sorted(d for d, _ in res["ss"])[runs // 2]
mn = sorted(d for d, _ in res["nlkit"])[runs // 2]
print(f"nlkit/ss time: {mn/ms:.2f}x")
if not same:
    open("/tmp/bench-ss.ss.txt", "wb").write(outs["ss"])
    open("/tmp/bench-ss.nlkit.txt", "wb").write(outs["nlkit"])
    sys.exit("outputs differ: /tmp/bench-ss.ss.txt /tmp/bench-ss.nlkit.txt")
PY
