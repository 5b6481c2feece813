#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser with libFuzzer, on the stable
# toolchain (no cargo-fuzz, no nightly): the targets are built with LLVM's
# sanitizer-coverage pass, seeded with the captured kernel replies.
#
#   scripts/fuzz.sh            each target for 60 s
#   scripts/fuzz.sh 600        each target for 10 minutes
#   scripts/fuzz.sh 60 control only that target
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(msg_iter attr_iter control ext_ack attr_path route_views event_views diag_views decode hex_input ynl_spec)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz}"
# --target keeps the instrumentation off build scripts and proc macros.
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
  cargo build --release --manifest-path fuzz/Cargo.toml --target x86_64-unknown-linux-gnu -q
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus"
  if [ "$t" = ynl_spec ]; then
    # Seeded with our spec and the kernel's (linux-doc-*), as text.
    cp -n kernel/module/nltest.yaml "$corpus"/
    for s in /usr/share/doc/linux-doc-*/Documentation/netlink/specs/*.yaml.gz; do
      [ -e "$s" ] && { [ -e "$corpus/$(basename "$s" .gz)" ] || zcat "$s" >"$corpus/$(basename "$s" .gz)"; }
    done
  else
    seeds=(crates/nlkit-cli/tests/fixtures/*.bin crates/nlkit/tests/fixtures/route/*)
    # The hex reader is seeded with the xxd and hexdump -C renderings too.
    [ "$t" != hex_input ] || seeds+=(crates/nlkit-cli/tests/fixtures/*.xxd crates/nlkit-cli/tests/fixtures/*.hexdump)
    cp -n "${seeds[@]}" "$corpus"/ 2>/dev/null || true
  fi
  echo "== $t ($secs s)"
  "$bin/$t" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|==[0-9]+== ERROR|SUMMARY|panicked)" || true
done
