#!/usr/bin/env bash
# Snapshot mode under the guardian: `record: {snapshot_mode: true}` makes the built-in recorder
# hold the newest samples in memory; `recguard snapshot` (the control socket's `snapshot` verb)
# has it write them into its segment, without a restart; the next segment opens only with the
# next snapshot, which the daemon follows. Every snapshot file is valid and holds only the
# newest images, and none is left empty at the stop (metadata.yaml lists exactly the snapshots).
# Without snapshot mode the verb is refused with a sentence naming the setting.
source "$(dirname "$0")/../integration/guard_lib.sh"
: "${RG_E2E_DIR:?}"
[ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] || fail "tests/e2e/node_modules missing: run make deps"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( ($$ + 91) % 200 + 1 ))
export RG_DDS_TAG="gsn-$$-$RANDOM"
validate() { (cd "$RG_E2E_DIR" && node validate_mcap.mjs "$@"); }
# The demo is ours too: ended on every exit, a failed check included (guard_lib's cleanup
# reads the exit status, so it is passed on).
DEMO=""
trap 'rc=$?; [ -z "$DEMO" ] || kill -KILL "$DEMO" 2>/dev/null || true; (exit $rc); cleanup' EXIT
stat_of() { "$RG_HELPERS/helper_rec_stats" "$OUT/recorder.stats" | awk -v k="$1" '$1 == k { print $2 }'; }

start_daemon --set 'record.topics=[/camera/image_raw]' --set record.snapshot_mode=true \
  --set record.max_cache_size=2M --set stop.flush_timeout=30s
wait_for 30 "RECORDING" state_is RECORDING
pid=$(recorder_pid)
"$RECGUARD" demo --rate-scale 0.5 > "$T/demo.log" 2>&1 &
DEMO=$!
wait_for 60 "6 images received" '[ "$(stat_of messages_received)" -ge 6 ] 2>/dev/null'
[ "$(stat_of messages_written)" = 0 ] || fail "written before the snapshot"
"$RECGUARD" snapshot --socket "$SOCK" --reason "test" > "$T/snap.out" 2>&1 || fail "snapshot verb: $(cat "$T/snap.out")"
grep -q "snapshot requested" "$T/snap.out" || fail "snapshot reply: $(cat "$T/snap.out")"
wait_for 30 "the snapshot written" '[ "$(jst .data.snapshots)" -ge 1 ] 2>/dev/null'
[ "$(jst .segment_index)" = 0 ] || fail "a segment opened after the snapshot"
# The second snapshot opens the next segment; the daemon follows it.
wait_for 60 "6 more images received" '[ "$(stat_of messages_received)" -ge 12 ] 2>/dev/null'
"$RECGUARD" snapshot --socket "$SOCK" > "$T/snap.out" 2>&1 || fail "second snapshot: $(cat "$T/snap.out")"
wait_for 30 "the second snapshot written" '[ "$(jst .data.snapshots)" -ge 2 ] 2>/dev/null'
wait_for 30 "the daemon follows the snapshot's segment" '[ "$(jst .segment_index)" = 1 ]'
kill -TERM "$DEMO"; wait "$DEMO" || true
[ "$(recorder_pid)" = "$pid" ] || fail "the snapshot restarted the recorder"
bag=$(jst .bag_dir)
jhas 'select(.event=="snapshot" and .reason=="test")' "$bag/recguard.jsonl" || fail "no snapshot event in the journal"
"$RECGUARD" stop --socket "$SOCK" --timeout 60 || fail "stop"
stop_daemon
for i in 0 1; do
  f=$(ls "$bag"/*_$i.mcap)
  validate "$f" > "$T/v.json" || fail "snapshot segment $f invalid: $(head -c 1500 "$T/v.json")"
  n=$(jq -r .messageCount "$T/v.json")
  [ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "snapshot $i holds $n images, the 2 MiB ring fits 2"
  grep -q "^    - $(basename "$f")\$" "$bag/metadata.yaml" || fail "metadata.yaml lacks $f"
done
[ "$(ls "$bag"/*.mcap | wc -l)" = 2 ] || fail "segments besides the two snapshots: $(ls "$bag")"
[ "$(grep -c '^    - [^ ]*\.mcap$' "$bag/metadata.yaml")" = 2 ] || fail "metadata.yaml files: $(cat "$bag/metadata.yaml")"

# Without snapshot mode the verb is refused, naming the setting.
start_daemon
wait_for 30 "RECORDING" state_is RECORDING
rc=0; "$RECGUARD" snapshot --socket "$SOCK" > "$T/snap2.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "snapshot without snapshot mode exited $rc"
grep -q "snapshot_mode: true" "$T/snap2.out" || fail "refusal message: $(cat "$T/snap2.out")"
stop_daemon
log "PASS"
