#!/usr/bin/env bash
# The built-in recorder meets a really full disk (a small tmpfs, the daemon's disk levels off so
# nothing stops it first): it closes a valid segment and says DISK_FULL in its stats. The daemon
# goes to DISK_LOW with a reason naming the disk: no post-crash hook on the valid file, no
# restart onto the full disk. Freeing space resumes recording by itself in the next segment.
source "$(dirname "$0")/guard_lib.sh"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="diskfull-$$-$RANDOM"
[ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] || { echo "node_modules missing (make deps): skipping"; exit 77; }
mkdir -p "$T/disk"
if ! mount -t tmpfs -o size=8m tmpfs "$T/disk" 2>/dev/null; then
  echo "cannot mount a tmpfs here (not root?): skipping"
  exit 77
fi
head -c $((3 * 1024 * 1024)) /dev/zero >"$T/disk/filler"
OUT="$T/disk/out"
start_daemon --state-dir "$T/state" --set disk.stop_free=off --set disk.warning_free=off \
  --set disk.ttf_limit=off
wait_for 30 "RECORDING" state_is RECORDING
# ~4 MB/s of reliable traffic: the disk is full within seconds
"$RG_HELPERS/helper_rdds_pub" --topic rt/fill --pad 4000 --rate 1000 --duration 120 \
  >"$T/pub.log" 2>&1 &
PUB=$!
seg=$(jst .segment)
bag=$(jst .bag_dir)
wait_for 60 "DISK_LOW after the disk filled" state_is DISK_LOW
jst .reason | grep -q "disk full" || fail "reason: $(jst .reason)"
jhas 'select(.event=="transition" and .trigger=="disk_full" and .alert)' "$bag/recguard.jsonl" ||
  fail "disk_full not journaled as an alert"
! jhas 'select(.event=="hook_started")' "$bag/recguard.jsonl" || fail "recover hook ran on a valid file"
! jhas 'select(.event=="restart_scheduled")' "$bag/recguard.jsonl" || fail "restart onto a full disk"
(cd "$RG_E2E_DIR" && node validate_mcap.mjs "$seg") >"$T/v0.json" || fail "segment 0 invalid: $(head -c 600 "$T/v0.json")"
[ "$(jq .messageCount "$T/v0.json")" -gt 0 ] || fail "segment 0 holds no message"
sleep 1
state_is DISK_LOW || fail "left DISK_LOW with the disk full: $(jst .state)"
rm "$T/disk/filler"
wait_for 30 "resumed by itself" '[ "$(jst .segment)" != "$seg" ]'
seg1=$(jst .segment)
[[ "$seg1" == "$bag"/*_1.mcap ]] || fail "segment after the pause: $seg1"
wait_for 60 "DISK_LOW again" state_is DISK_LOW
"$RECGUARD" stop --socket "$SOCK" --timeout 30 >/dev/null || fail "stop"
wait_for 30 "IDLE" state_is IDLE
kill "$PUB" 2>/dev/null || true
wait "$PUB" 2>/dev/null || true
(cd "$RG_E2E_DIR" && node validate_mcap.mjs "$seg1") >"$T/v1.json" || fail "segment 1 invalid: $(head -c 600 "$T/v1.json")"
stop_daemon
log "PASS"
