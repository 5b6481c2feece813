#!/usr/bin/env bash
# The project's whole test run, as a new user runs it (as root: the tests open
# network namespaces of their own). Installs what it needs on a fresh Debian
# machine, builds everything (examples and benches included), runs the unit,
# property and kernel tests, then the VM tests of the kernel module.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/test.sh: run as root (tests create network namespaces and need CAP_NET_ADMIN)" >&2
  exit 2
fi

need_pkgs=()
command -v ip >/dev/null || need_pkgs+=(iproute2)
# The kernel's YAML netlink specs (nlkit ynl and its tests read them there).
ls /usr/share/doc/linux-doc-6.12/Documentation/netlink/specs/*.yaml.gz >/dev/null 2>&1 || need_pkgs+=(linux-doc-6.12)
# netfilter tests: iptables-nft (NFQUEUE target), nft (log, counters), conntrack
# (differential tests), tshark (reads nlkit's pcaps), libnetfilter_queue (bench client).
command -v iptables >/dev/null || need_pkgs+=(iptables)
command -v nft >/dev/null || need_pkgs+=(nftables)
command -v conntrack >/dev/null || need_pkgs+=(conntrack)
command -v tshark >/dev/null || need_pkgs+=(tshark)
[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || need_pkgs+=(libnetfilter-queue-dev)
command -v python3 >/dev/null || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  apt-get update -qq
  # tshark asks whether non-root users may capture: answer no, never block.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"
fi

echo "== style: rustfmt and clippy (warnings are errors)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --locked -q -- -D warnings

echo "== build (workspace, examples, benches)"
cargo build --workspace --all-targets --all-features --locked

echo "== tests"
# A test that fails while a child it spawned (a monitor, `ip monitor`, a
# listener) still runs can leave that child holding this script's output
# open: the tests run in a session of their own, and whatever is left of it
# afterwards is ended.
sidfile=$(mktemp)
reap() {
  if [ -s "$sidfile" ]; then pkill -s "$(cat "$sidfile")" 2>/dev/null || true; fi
  rm -f "$sidfile"
}
trap reap EXIT
setsid -w bash -c 'echo $$ > "$1"; exec cargo test --workspace --all-features --locked' _ "$sidfile"
reap

if [ -x kernel/vm/run.sh ] || [ -f kernel/vm/run.sh ]; then
  echo "== kernel module VM tests (6.1 and 6.12: C smoke, nlkit-vmtest, the nltest/genl examples, the CLI)"
  bash kernel/vm/run.sh
fi
