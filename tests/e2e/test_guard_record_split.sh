#!/usr/bin/env bash
# The guarded built-in recorder configured through `record:` (config file) and
# --set record.KEY=VALUE: its argv carries the options, it records only the configured topic,
# splits by itself every couple of seconds (max_bag_size), and the daemon follows the segment
# it reports: status and the journal move to each new segment, the state stays RECORDING, the
# recorder is never restarted, and every segment is a valid MCAP listed in metadata.yaml.
# RG_SPLIT_SECONDS (default 12) sets how long it runs: 60 for the minute-long version.
source "$(dirname "$0")/../integration/guard_lib.sh"
: "${RG_E2E_DIR:?}"
[ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] || fail "tests/e2e/node_modules missing: run make deps"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( ($$ + 77) % 200 + 1 ))
export RG_DDS_TAG="grs-$$-$RANDOM"
SECONDS_TO_RUN=${RG_SPLIT_SECONDS:-12}
validate() { (cd "$RG_E2E_DIR" && node validate_mcap.mjs "$@"); }
# The demo is ours too: ended on every exit, a failed check included (guard_lib's cleanup
# reads the exit status, so it is passed on).
DEMO=""
trap 'rc=$?; [ -z "$DEMO" ] || kill -KILL "$DEMO" 2>/dev/null || true; (exit $rc); cleanup' EXIT

cat > "$T/cfg.yaml" <<'EOF'
record:
  topics: [/camera/image_raw]
  max_bag_size: 3MiB
  chunk_size: 256K
  custom_data: [site=lab]
EOF
# A bad record: value fails at load, naming the key and the recorder's reason.
rc=0; "$RECGUARD" daemon --socket "$SOCK" --output "$OUT" --config "$T/cfg.yaml" \
  --set record.max_bag_size=lots > "$T/bad.log" 2>&1 || rc=$?
[ "$rc" = 2 ] || [ "$rc" = 1 ] || fail "bad record.max_bag_size accepted (exit $rc)"
grep -q -- "--max-bag-size lots" "$T/bad.log" || fail "bad value message: $(cat "$T/bad.log")"
rc=0; "$RECGUARD" daemon --socket "$SOCK" --output "$OUT" --set record.frobnicate=1 > "$T/bad2.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "record.frobnicate: unknown key" "$T/bad2.log" || fail "unknown record key: $(cat "$T/bad2.log")"

# A generous flush timeout: a recorder under ASan on a loaded machine must still stop cleanly.
start_daemon --config "$T/cfg.yaml" --set record.storage_preset_profile=fastwrite --set health.stall_timeout=2s \
  --set stop.flush_timeout=30s
wait_for 30 "RECORDING" state_is RECORDING
argv=$(jst '.recorder.argv | join(" ")')
[[ "$argv" == *"record -o {segment} --stats "*"--topics /camera/image_raw --max-bag-size 3MiB --chunk-size 256K --custom-data site=lab --storage-preset-profile fastwrite"* ]] ||
  fail "recorder argv: $argv"
[[ "$argv" != *" -a "* ]] || fail "-a kept although record: selects topics: $argv"
pid=$(recorder_pid)
first=$(jst .segment)
"$RECGUARD" demo --rate-scale 0.4 > "$T/demo.log" 2>&1 &
DEMO=$!
start=$(date +%s)
wait_for 60 "a split followed" '[ "$(jst .segment)" != "$first" ]'
wait_for $((SECONDS_TO_RUN + 30)) "$SECONDS_TO_RUN s of splitting" '[ $(( $(date +%s) - start )) -ge '"$SECONDS_TO_RUN"' ]'
kill -TERM "$DEMO"; wait "$DEMO" || true
state_is RECORDING || fail "not RECORDING after splitting: $(jst .state) $(jst .reason)"
[ "$(recorder_pid)" = "$pid" ] || fail "the recorder was replaced while it split"
[ "$(jst .restarts)" = 0 ] || fail "restarts: $(jst .restarts)"
bag=$(jst .bag_dir)
idx=$(jst .segment_index)
[ "$idx" -ge 2 ] || fail "only $idx splits in $SECONDS_TO_RUN s"
jhas 'select(.event=="segment" and .reason=="the recorder split")' "$bag/recguard.jsonl" || fail "no segment events in the journal"
! jhas 'select(.event=="transition" and (.to=="STALLED" or .to=="BACKOFF" or .to=="RESTARTING"))' "$bag/recguard.jsonl" ||
  fail "a stall or restart was recorded: $(grep -E 'STALL|BACKOFF|RESTART' "$bag/recguard.jsonl" | head -3)"
"$RECGUARD" stop --socket "$SOCK" --timeout 60 || fail "stop"
jst .last_exit.summary | grep -q "exited with status 0" || fail "the recorder did not stop cleanly: $(jst .last_exit.summary)"
stop_daemon
n=0
for f in "$bag"/*.mcap; do
  validate "$f" > "$f.json" || fail "segment $f invalid: $(head -c 1500 "$f.json")"
  topics=$(jq -r '[.channels[].topic] | unique | join(" ")' "$f.json")
  [ -z "$topics" ] || [ "$topics" = /camera/image_raw ] || fail "$f records $topics"
  grep -q "^    - $(basename "$f")$" "$bag/metadata.yaml" || fail "metadata.yaml lacks $(basename "$f")"
  n=$((n + 1))
done
[ "$n" -gt "$idx" ] || fail "$n segment files for index $idx"
grep -q "^    site: lab$" "$bag/metadata.yaml" || fail "custom_data from record: not in metadata.yaml"
log "PASS: $n segments in ${SECONDS_TO_RUN}s, no stall, no restart"
