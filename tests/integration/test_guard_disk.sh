#!/usr/bin/env bash
# Disk full on a small tmpfs: recording is stopped cleanly (SIGINT, exit 0) with the reason
# before the recorder ever meets ENOSPC, and waits in DISK_LOW; when space is freed, recording
# resumes by itself in the next segment of the same bag.
source "$(dirname "$0")/guard_lib.sh"

mkdir -p "$T/disk"
if ! mount -t tmpfs -o size=6m tmpfs "$T/disk" 2>/dev/null; then
  echo "cannot mount a tmpfs here (not root?): skipping"
  exit 77
fi
OUT="$T/disk/out"
# room the test frees later (the recorder's own files are never deleted)
head -c $((3 * 1024 * 1024)) /dev/zero >"$T/disk/filler"
start_daemon --state-dir "$T/state" --set disk.stop_free=2MiB --set disk.warning_free=4MiB \
  --set disk.ttf_limit=1s -- "$FAKE" --out '{segment}' --rate 400000
wait_for 20 "RECORDING" state_is RECORDING
seg=$(jst .segment)
bag=$(jst .bag_dir)
wait_for 30 "paused for the disk" state_is DISK_LOW
jst .reason | grep -qi "disk" || fail "reason: $(jst .reason)"
[ "$(jst .last_exit.ended_by)" = SIGINT ] || fail "ended_by $(jst .last_exit.ended_by)"
[ "$(jst .last_exit.exit_code)" = 0 ] || fail "recorder exit $(jst .last_exit.exit_code)"
! grep -q "No space left" "${seg%.mcap}.log" || fail "the recorder met ENOSPC"
free=$(df -B1 --output=avail "$T/disk" | tail -1)
[ "$free" -gt 0 ] || fail "disk full"
jhas 'select(.event=="transition" and .trigger=="disk_low" and .alert)' "$bag/recguard.jsonl" ||
  fail "disk_low not journaled as an alert"
[ "$(jst .health.verdict)" = critical ] || fail "verdict in DISK_LOW: $(jst .health.verdict)"
# no restart while the disk stays full
sleep 1
state_is DISK_LOW || fail "left DISK_LOW with the disk still full: $(jst .state)"
[ "$(count_fake)" = 0 ] || fail "a recorder runs in DISK_LOW"
rm "$T/disk/filler"
wait_for 30 "resumed by itself" '[ "$(jst .segment)" != "$seg" ]'
[ "$(jst .bag_dir)" = "$bag" ] || fail "resumed into another bag: $(jst .bag_dir)"
[[ "$(jst .segment)" == *_1.mcap ]] || fail "segment after the pause: $(jst .segment)"
jhas 'select(.event=="transition" and .trigger=="disk_ok")' "$bag/recguard.jsonl" || fail "disk_ok not journaled"
[ -s "$seg" ] || fail "first segment lost"
# the operator's stop is final: IDLE, no resume
"$RECGUARD" stop --socket "$SOCK" --timeout 30 >/dev/null || fail "stop"
wait_for 30 "IDLE" state_is IDLE
stop_daemon
log "PASS"
