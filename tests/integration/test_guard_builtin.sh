#!/usr/bin/env bash
# The default recorder: `recguard daemon` with no recorder argv guards the built-in
# `recguard record -a -o {segment} --stats <state dir>/recorder.stats`. Its stats heartbeat is the
# progress signal: with no traffic at all (no output growth) it stays RECORDING past the stall
# timeout. kill -9 of the recorder: the post-crash hook (`recguard recover`) runs on the cut
# segment and a new segment starts. Daemon kill -9: the new daemon re-adopts it, and its clean
# stop is recognised from the stats even though an adopted process's exit status is unknown.
source "$(dirname "$0")/guard_lib.sh"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))

start_daemon
wait_for 30 "RECORDING" state_is RECORDING
[ "$(jst .recorder.builtin)" = true ] || fail "not the built-in recorder"
jst '.recorder.argv | join(" ")' | grep -q -- "record -a -o {segment} --stats $OUT/recorder.stats" ||
  fail "argv: $(jst '.recorder.argv | join(" ")')"
pid=$(recorder_pid)
seg=$(jst .segment)
# no traffic: nothing grows, the heartbeat alone keeps it healthy past stall_timeout (3 s)
since=$(date +%s)
wait_for 20 "5 s without traffic" '[ $(( $(date +%s) - since )) -ge 5 ]'
state_is RECORDING || fail "stalled without traffic: $(jst .reason)"
[ "$(recorder_pid)" = "$pid" ] || fail "replaced without traffic"

kill -KILL "$pid"
wait_for 30 "a new recorder" pid_changed "$pid"
wait_for 30 "RECORDING again" state_is RECORDING
bag=$(jst .bag_dir)
wait_for 30 "recover hook done" jhas '"select(.event==\"hook_done\")"' "$bag/recguard.jsonl"
jhas 'select(.event=="hook_started") | .segment' "$bag/recguard.jsonl" || fail "hook not on the segment"
[[ "$(jst .segment)" == *_1.mcap ]] || fail "segment after crash $(jst .segment)"

# re-adoption of the built-in recorder, then a clean stop recognised from its stats
pid=$(recorder_pid)
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
start_daemon
wait_for 30 "RECORDING (adopted)" state_is RECORDING
[ "$(recorder_pid)" = "$pid" ] && [ "$(jst .adopted)" = true ] || fail "not re-adopted"
"$RECGUARD" stop --socket "$SOCK" --timeout 40 || fail "stop"
jst .last_exit.summary | grep -q "ended cleanly" || fail "clean stop not recognised: $(jst .last_exit.summary)"
stop_daemon
log "PASS"
