#!/usr/bin/env bash
# The ip parity suite (crates/nlkit-cli/tests/ip_parity.rs): builds the state
# of tests/ip_parity/state.ip with ip and with nlkit in two fresh netns, runs
# every command of tests/ip_parity/commands.txt through both tools (text and
# -j) and prints the counts: compared, identical, differing (known-todo,
# ip-quirk, not listed in known.txt). As root.
#   scripts/ip-parity.sh            counts (and any difference not listed)
#   scripts/ip-parity.sh --report   also the current known.txt on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--report" ]; then
  export NLKIT_PARITY_REPORT=1
fi
cargo test -q -p nlkit-cli --test ip_parity -- --nocapture --test-threads 1 2>&1 |
  grep -v '^running \|^test result\|^$\|^\.*$' || true
