#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a while: `make fuzz` calls
#   scripts/fuzz.sh BUILD_DIR SECONDS
# Each BUILD_DIR/tests/fuzz_* binary (built with -DRG_FUZZ=ON and clang) runs for SECONDS over
# a copy of its seed corpus tests/fuzz/corpus/<name>/ (the repository's corpus stays small:
# add a new interesting input or crasher there by hand). Crash, leak and timeout inputs land in
# BUILD_DIR/fuzz-artifacts/<name>/; the script exits 1 if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
secs=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
shopt -s nullglob
targets=()
for bin in "$build"/tests/fuzz_*; do
  [ -x "$bin" ] && [ -f "$bin" ] || continue
  case "$bin" in *_replay) continue ;; esac
  targets+=("$bin")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz_* binaries in $build/tests (configure with CC=clang -DRG_FUZZ=ON)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  corpus="$work/$name"
  mkdir -p "$corpus" "$build/fuzz-artifacts/$name"
  [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
  echo "fuzz: $name for ${secs}s ($(ls "$corpus" | wc -l) seeds)"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/fuzz-artifacts/$name/" -print_final_stats=1 "$corpus" \
    > "$work/$name.log" 2>&1
  rc=$?
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added" "$work/$name.log" | sed "s/^/fuzz: $name: /"
  if [ $rc -ne 0 ]; then
    failed=1
    echo "fuzz: $name FAILED (exit $rc); inputs in $build/fuzz-artifacts/$name/" >&2
    grep -E "ERROR:|SUMMARY:|==[0-9]+==" "$work/$name.log" | head -20 >&2
  fi
done
exit $failed
