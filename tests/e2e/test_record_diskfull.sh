#!/usr/bin/env bash
# Disk full, for real and injected.
# 1. A 2 MiB tmpfs fills up under ddsperf traffic: the recorder stops writing, exits 1 with one
#    message naming the file, and leaves a complete valid MCAP (footer and all: the writer keeps
#    room for it) holding a contiguous prefix of the samples; the stats file says disk_full.
# 2. RG_SYS_FAIL makes every write from the 30th on fail with ENOSPC (a disk that stays full,
#    even for the summary): same exit and message, and `recguard recover` rebuilds everything
#    that was written before, losslessly.
if [ -z "${RG_IN_USERNS:-}" ]; then
  # Mounting needs root (we are in CI) or a private user+mount namespace.
  probe=$(mktemp -d)
  if mount -t tmpfs -o size=64k tmpfs "$probe" 2>/dev/null; then
    umount "$probe"; rmdir "$probe"
  else
    rmdir "$probe"
    if unshare -rm true 2>/dev/null; then RG_IN_USERNS=1 exec unshare -rm bash "$0" "$@"; fi
    echo "cannot mount a tmpfs here (not root, no user namespaces)" >&2
    exit 77
  fi
fi
source "$(dirname "$0")/rec_lib.sh"
need_node
command -v ddsperf >/dev/null || { echo "ddsperf not installed" >&2; exit 77; }
D=$ROS_DOMAIN_ID
mkdir "$T/mnt"
mount -t tmpfs -o size=2m tmpfs "$T/mnt" || fail "mount tmpfs"
trap 'umount "$T/mnt" 2>/dev/null || true; rec_cleanup' EXIT

# ---- 1. a real full disk ----
start_recorder "$T/rec.log" -a --include-dds -o "$T/mnt/bag" --chunk-size 64K --max-chunk-age 100
wait_for 20 test -s "$T/mnt/bag/recorder.stats" || fail "no stats file"
ddsperf -i "$D" -D 30 -Q minmatch:1 -Q initwait:1 pub 1000Hz size 1k > "$T/prime.log" 2>&1 || true
wait_for 20 topic_known "$T/mnt/bag/recorder.stats" DDSPerfRDataKS || fail "recorder never subscribed"
ddsperf -i "$D" -D 30 sub > "$T/sub.log" 2>&1 &
PIDS+=($!)
ddsperf -i "$D" -D 30 -Q minmatch:1 -Q initwait:20 pub 2000Hz size 4k > "$T/pub.log" 2>&1 &
PIDS+=($!)
# The recorder must end by itself once the 2 MiB are gone.
wait_for 30 bash -c "! kill -0 $REC_PID" || fail "recorder still running on a full disk"
rc=0; wait "$REC_PID" || rc=$?
cat "$T/rec.log"
[ "$rc" = 1 ] || fail "exit $rc on disk full, expected 1"
grep -q "disk full: .*$T/mnt/bag/bag_0.mcap.*No space left on device" "$T/rec.log" || fail "message does not name the file and the cause"
[ "$(grep -c 'disk full' "$T/rec.log")" = 1 ] || fail "more than one disk-full message"
[ "$(stat_field "$T/mnt/bag/recorder.stats" state)" = disk_full ] || fail "stats state not disk_full"
validate "$T/mnt/bag/bag_0.mcap" > "$T/v.json" || fail "file left on the full disk is not valid: $(head -c 2000 "$T/v.json")"
rec_seq --topic DDSPerfRDataKS "$T/mnt/bag/bag_0.mcap" > "$T/seq.json"
cat "$T/seq.json"
[ "$(json "$T/seq.json" j.contiguous)" = true ] || fail "kept samples not contiguous"
[ "$(json "$T/seq.json" j.count)" -gt 100 ] || fail "too little kept before the disk filled"
grep -q "bag_0.mcap" "$T/mnt/bag/metadata.yaml" || fail "metadata.yaml missing"
for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done

# ---- 2. injected ENOSPC that never clears ----
export ROS_DOMAIN_ID=$(( ROS_DOMAIN_ID % 200 + 1 ))
D=$ROS_DOMAIN_ID
RG_SYS_FAIL="write:30:ENOSPC:sticky" start_recorder "$T/rec2.log" -a --include-dds -o "$T/bag2" --chunk-size 16K --max-chunk-age 100
wait_for 20 test -s "$T/bag2/recorder.stats" || fail "no stats file (2)"
ddsperf -i "$D" -D 30 -Q minmatch:1 -Q initwait:1 pub 1000Hz size 1k > "$T/prime2.log" 2>&1 || true
wait_for 20 topic_known "$T/bag2/recorder.stats" DDSPerfRDataKS || fail "recorder never subscribed (2)"
ddsperf -i "$D" -D 30 sub > "$T/sub2.log" 2>&1 &
PIDS+=($!)
ddsperf -i "$D" -D 30 -Q minmatch:1 -Q initwait:20 pub 1000Hz size 1k > "$T/pub2.log" 2>&1 &
PIDS+=($!)
wait_for 30 bash -c "! kill -0 $REC_PID" || fail "recorder still running after injected ENOSPC"
rc=0; wait "$REC_PID" || rc=$?
cat "$T/rec2.log"
[ "$rc" = 1 ] || fail "exit $rc on injected ENOSPC, expected 1"
grep -q "disk full: .*$T/bag2/bag2_0.mcap" "$T/rec2.log" || fail "injected: message does not name the file"
rrc=0
"$RECGUARD" recover "$T/bag2/bag2_0.mcap" -o "$T/rec2.mcap" > "$T/recover2.log" 2>&1 || rrc=$?
cat "$T/recover2.log"
# The tail could not be written either: the file ends at a record boundary without DataEnd,
# so nothing proves it complete (the open chunk was indeed lost): lossy, every whole chunk kept.
[ "$rrc" = 3 ] || fail "recover after injected ENOSPC exited $rrc (expected lossy 3: no DataEnd)"
validate "$T/rec2.mcap" > "$T/v2.json" || fail "recovered file invalid"
rec_seq --topic DDSPerfRDataKS "$T/rec2.mcap" > "$T/seq2.json"
cat "$T/seq2.json"
[ "$(json "$T/seq2.json" j.contiguous)" = true ] || fail "recovered samples not contiguous"
[ "$(json "$T/seq2.json" j.first)" = 0 ] || fail "recovered samples do not start at 0"
echo "ok: real and injected disk full end cleanly with a usable file"
