#!/usr/bin/env bash
# The exhaustive mutation run behind `make mutate` (ctest runs a sample: e2e.test_bagtools_mutate):
#   scripts/mutate.sh BUILD_DIR
# Every offset of each file, cut there and with that byte flipped: the 650 MCAP conformance
# inputs and our own writer's files (none/lz4/zstd) with XOR 0x01 and 0xff, all 11 rosbag2
# fixtures with XOR 0x01 (about 1.8 million mutants, 35 minutes on a loaded 2-core machine),
# through helper_mcap_mutate (in process: a lossless verdict must come with exactly
# the original's messages, metadata and attachments; outputs defect-free; no crash), and a
# sample of conformance files through the real binary with @mcap/core reading every output
# (bagtools_check.mjs). Prints the totals docs/RELIABILITY.md quotes; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/mutate.sh BUILD_DIR}
build=$(cd "$build" && pwd)
M=$build/tests/helper_mcap_mutate
[ -x "$M" ] || { echo "mutate: $M missing (make build)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd tests/e2e && node gen_conformance.mjs "$tmp/conf" > "$tmp/conf.list")
for comp in none lz4 zstd; do
  "$build/tests/helper_mcap_write" "$tmp/own_$comp.mcap" --compression "$comp" --count 60 --chunk-size 512
done
find tests/fixtures/rosbag2 -name '*.mcap' | sort > "$tmp/fixtures.list"
failed=0
step() { # label, then helper arguments
  local label=$1; shift
  echo "== $label"
  if "$M" "$@" > "$tmp/out"; then :; else failed=1; fi
  tail -1 "$tmp/out"
}
for x in 0x01 0xff; do
  step "conformance inputs, every offset, flip xor $x" --xor "$x" --cli-every 10 $(cat "$tmp/conf.list")
  step "own files (none, lz4, zstd), every offset, flip xor $x" --xor "$x" --cli-every 10 "$tmp"/own_*.mcap
done
step "rosbag2 fixtures, every offset, flip xor 0x01" --cli-every 50 $(cat "$tmp/fixtures.list")
echo "== real binary + @mcap/core readers, every offset of 6 conformance files"
c=$tmp/conf
(cd tests/e2e && RECGUARD=$build/recguard node bagtools_check.mjs mutate \
  "$c/TenMessages/TenMessages-pad-st.mcap" "$c/TenMessages/TenMessages-ch-chx-mx-pad-rch-rsh-st-sum.mcap" \
  "$c/OneSchemalessMessage/OneSchemalessMessage-ch-mx-st.mcap" "$c/OneAttachment/OneAttachment-ax-pad-st-sum.mcap" \
  "$c/OneMetadata/OneMetadata-mdx-st-sum.mcap" "$c/OneMessage/OneMessage-ch-chx-mx-rch-rsh-st-sum.mcap") \
  > "$tmp/node.out" || failed=1
tail -1 "$tmp/node.out"
[ $failed = 0 ] && echo "mutate: no failures" || echo "mutate: FAILURES (see above)"
exit $failed
