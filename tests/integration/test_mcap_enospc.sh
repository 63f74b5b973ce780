#!/usr/bin/env bash
# A real full disk: our writer fills a 2 MiB tmpfs (its own mount namespace, unshare -rm) until
# ENOSPC, flushing every 50 messages. The file it leaves must be valid (doctor clean, indexed)
# and hold every flushed message — for each compression.
set -euo pipefail
: "${RECGUARD:?}" "${RG_HELPERS:?}"
if ! unshare -rm true 2>/dev/null; then
  echo "skip: unshare -rm (user + mount namespaces) not permitted here" >&2
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for comp in none lz4 zstd; do
  mkdir -p "$tmp/mnt"
  # Inside the namespace: mount, fill, copy the file out (the mount vanishes with it).
  unshare -rm bash -c '
    set -e
    mount -t tmpfs -o size=2m tmpfs "$1/mnt"
    "$2/helper_mcap_write" "$1/mnt/full.mcap" --compression "$3" --chunk-size 65536 --fill > "$1/fill.out"
    cp "$1/mnt/full.mcap" "$1/full_$3.mcap"
  ' _ "$tmp" "$RG_HELPERS" "$comp" || fail "$comp: fill run failed: $(cat "$tmp/fill.out" 2>/dev/null)"
  line=$(cat "$tmp/fill.out")
  flushed=$(sed -n 's/.*flushed=\([0-9]*\).*/\1/p' <<<"$line")
  accepted=$(sed -n 's/.*accepted=\([0-9]*\).*/\1/p' <<<"$line")
  grep -q 'error=ENOSPC' <<<"$line" || fail "$comp: expected ENOSPC: $line"
  [ "$flushed" -gt 100 ] || fail "$comp: only $flushed flushed: $line"
  f="$tmp/full_$comp.mcap"
  "$RECGUARD" doctor "$f" > "$tmp/doctor.out" || fail "$comp: file left by ENOSPC is not clean: $(cat "$tmp/doctor.out")"
  grep -q 'indexed' "$tmp/doctor.out" || fail "$comp: no summary: $(cat "$tmp/doctor.out")"
  n=$("$RECGUARD" info "$f" | sed -n 's/^Messages: *//p')
  [ "$n" -ge "$flushed" ] && [ "$n" -le "$accepted" ] || fail "$comp: $n messages, flushed $flushed, accepted $accepted"
  echo "ok: $comp: $line; file holds $n messages, doctor clean"
done
