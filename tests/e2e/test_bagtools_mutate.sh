#!/usr/bin/env bash
# Mutation test of recover/doctor/info (the ctest-sized sample; `make mutate` runs every
# offset of every file): files cut at an offset and files with one byte flipped, made from
# conformance inputs (written by @mcap/core), from our own writer (every compression) and from
# the rosbag2 fixtures. helper_mcap_mutate checks in process that recover never calls a damaged
# file lossless unless its output holds exactly the original's messages, metadata and
# attachments, that its outputs are defect-free, and that the verbs exit 0/1/3 without a crash
# or sanitizer report; bagtools_check.mjs repeats a sample through the real binary with
# @mcap/core reading every output.
set -euo pipefail
: "${RECGUARD:?}" "${RG_E2E_DIR:?}" "${RG_HELPERS:?}" "${RG_FIXTURES:?}"
if [ ! -d "$RG_E2E_DIR/node_modules/@mcap/core" ]; then
  echo "tests/e2e/node_modules missing: run scripts/deps.sh (npm ci)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$RG_E2E_DIR" && node gen_conformance.mjs "$tmp/conf" > /dev/null)
c=$tmp/conf
conf=("$c/TenMessages/TenMessages-pad-st.mcap" "$c/TenMessages/TenMessages-ch-chx-mx-pad-rch-rsh-st-sum.mcap"
      "$c/OneSchemalessMessage/OneSchemalessMessage-ch-mx-st.mcap" "$c/OneAttachment/OneAttachment-ax-pad-st-sum.mcap"
      "$c/OneMetadata/OneMetadata-mdx-st-sum.mcap" "$c/NoData/NoData-st-sum.mcap")
for comp in none lz4 zstd; do
  "$RG_HELPERS/helper_mcap_write" "$tmp/own_$comp.mcap" --compression "$comp" --count 60 --chunk-size 512
done
M=$RG_HELPERS/helper_mcap_mutate
check() { tail -1 "$1"; grep -q '"failures":0}' "$1" || { cat "$1"; echo "FAIL: mutation ($1)" >&2; exit 1; }; }
"$M" --cli-every 5 "${conf[@]}" > "$tmp/m1"; check "$tmp/m1"            # every offset
"$M" --every 7 --xor 0xff --cli-every 5 "$tmp"/own_*.mcap > "$tmp/m2"; check "$tmp/m2"
"$M" --every 53 --cli-every 5 "$RG_FIXTURES/talker/talker.mcap" "$RG_FIXTURES/cdr_test/cdr_test_0.mcap" \
  "$RG_FIXTURES/wbag/wbag_0.mcap" > "$tmp/m3"; check "$tmp/m3"
# Every lossless verdict must be backed by real outputs: some mutants (e.g. flips in the
# summary, cuts after DataEnd) are lossless, most are not.
grep -q '"lossless":[1-9]' "$tmp/m1" && grep -q '"lossy":[1-9]' "$tmp/m1" || { echo "FAIL: no mix of verdicts" >&2; exit 1; }
(cd "$RG_E2E_DIR" && node bagtools_check.mjs mutate --every 11 "${conf[1]}" "${conf[3]}") > "$tmp/n1" || { cat "$tmp/n1"; exit 1; }
tail -1 "$tmp/n1"
echo "ok: mutants of conformance, own and rosbag2 files: no false lossless, no crash"
