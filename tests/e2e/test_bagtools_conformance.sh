#!/usr/bin/env bash
# The MCAP conformance inputs (gen_conformance.mjs: six base files in every applicable
# combination of chunks, message indexes, statistics, repeated schemas and channels,
# attachment, metadata and chunk indexes, summary offsets and padded records; 650 files,
# written by @mcap/core, not by us) through the bag tools: doctor clean (exit 0, notes allowed),
# info complete (every topic, type and count; Notes says when it scanned), recover lossless
# (exit 0) with exactly the input's messages, metadata and attachments, its output read by
# @mcap/core's indexed and streaming readers (bagtools_check.mjs).
set -euo pipefail
: "${RECGUARD:?}" "${RG_E2E_DIR:?}"
if [ ! -d "$RG_E2E_DIR/node_modules/@mcap/core" ]; then
  echo "tests/e2e/node_modules missing: run scripts/deps.sh (npm ci)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$RG_E2E_DIR"
node gen_conformance.mjs "$tmp/conf" > "$tmp/files"
n=$(wc -l < "$tmp/files")
[ "$n" -eq 650 ] || { echo "FAIL: $n conformance files generated, expected 650" >&2; exit 1; }
for base in NoData OneMessage OneSchemalessMessage TenMessages OneAttachment OneMetadata; do
  [ -n "$(ls "$tmp/conf/$base")" ] || { echo "FAIL: no $base variants" >&2; exit 1; }
done
xargs node bagtools_check.mjs conformance < "$tmp/files" > "$tmp/result"
tail -1 "$tmp/result"
grep -q '"files":650,.*"failures":0' "$tmp/result" || { echo "FAIL: conformance" >&2; exit 1; }
echo "ok: 650 conformance files: doctor clean, info complete, recover lossless and identical"
