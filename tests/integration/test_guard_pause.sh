#!/usr/bin/env bash
# Pause and resume of the built-in recorder through the daemon, with `recguard demo` traffic:
# `record.start_paused` starts it paused (status and journal say so); paused, its counters and
# its bag stand still and the data health stays quiet past health.no_data_timeout (a pause is
# no failure); `recguard resume` / `pause` (the control socket's verbs) reach it with a signal
# per state, so a repeated pause changes nothing and says so; a recorder restarted while paused
# starts paused; a SIGUSR2 sent around the daemon is followed and journaled. Another recorder
# cannot be paused: the refusal says what can (ros2 bag record's own services), exit 1.
source "$(dirname "$0")/guard_lib.sh"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( ($$ + 57) % 200 + 1 ))
export RG_DDS_TAG="gps-$$-$RANDOM"
DEMO=""
trap 'rc=$?; [ -z "$DEMO" ] || kill -KILL "$DEMO" 2>/dev/null || true; (exit $rc); cleanup' EXIT
stat_of() { "$RG_HELPERS/helper_rec_stats" "$OUT/recorder.stats" | awk -v k="$1" '$1 == k { print $2 }'; }
publishers_of() { "$RG_HELPERS/helper_rec_stats" "$OUT/recorder.stats" | awk -v t="$1" '$1 == "topic" && $2 == t { print $16 }'; }
events() { jq -r "select(.event==\"$1\") | .reason" "$BAG/recguard.jsonl"; }
# settled KEY: the stats value once two reads 300 ms apart agree (the queue has drained).
settled() {
  local a b i
  a=$(stat_of "$1")
  for i in $(seq 50); do
    sleep 0.3
    b=$(stat_of "$1")
    [ "$a" = "$b" ] && break
    a=$b
  done
  echo "$a"
}
# hold SECONDS: let that much time pass (a bounded wait on the clock, nothing asserted of it).
hold() { local until=$(( $(now_ms) + $1 * 1000 )); wait_for $(( $1 + 5 )) "$1 s to pass" '[ "$(now_ms)" -ge '"$until"' ]'; }

start_daemon --set 'record.topics=[/chatter,/seq]' --set record.start_paused=true \
  --set health.no_data_timeout=2s
wait_for 30 "RECORDING" state_is RECORDING
[ "$(jst .paused)" = true ] || fail "record.start_paused: status does not say paused"
jst '.recorder.argv | join(" ")' | grep -q -- "--start-paused" || fail "argv: $(jst '.recorder.argv | join(" ")')"
"$RECGUARD" status --socket "$SOCK" | grep -q "^paused: *yes" || fail "status text: no paused line"
BAG=$(jst .bag_dir)
pid=$(recorder_pid)
wait_for 30 "the paused event of the start" '[ -n "$(events paused)" ]'
events paused | grep -q "record.start_paused" || fail "paused event reason: $(events paused)"
"$RECGUARD" demo --rate-scale 0.5 >"$T/demo.log" 2>&1 &
DEMO=$!
wait_for 30 "the recorder sees /seq's publisher" '[ "$(publishers_of /seq)" -ge 1 ] 2>/dev/null'

# Paused: publishers flow, nothing is taken; no "no data" past its 2 s timeout, no replacement.
hold 4
[ "$(stat_of messages_received)" = 0 ] || fail "paused recorder received $(stat_of messages_received)"
[ "$(stat_of messages_written)" = 0 ] || fail "paused recorder wrote"
[ "$(stat_of paused)" = 1 ] || fail "stats file does not say paused"
state_is RECORDING || fail "paused recorder judged: $(jst .reason) $(jst '.health.reasons | join("; ")')"
[ "$(recorder_pid)" = "$pid" ] || fail "paused recorder replaced: $(jst '.health.reasons | join("; ")')"
jst '.health.flags | join(",")' | grep -q no_data && fail "no_data while paused"

# Resume: the counters grow; the journal has the operator's reason.
"$RECGUARD" resume --socket "$SOCK" --reason "go" --timeout 30 >"$T/resume.out" 2>&1 ||
  fail "resume: $(cat "$T/resume.out")"
grep -q "^resume: resumed" "$T/resume.out" || fail "resume output: $(cat "$T/resume.out")"
[ "$(jst .paused)" = false ] || fail "status still paused after resume"
wait_for 30 "messages received after resume" '[ "$(stat_of messages_received)" -ge 20 ] 2>/dev/null'
wait_for 30 "messages written after resume" '[ "$(stat_of messages_written)" -ge 20 ] 2>/dev/null'
events resumed | grep -q "operator: resume: go" || fail "resumed event: $(events resumed)"

# Pause: the counters stop; a second pause is idempotent (no signal toggles it back).
"$RECGUARD" pause --socket "$SOCK" --reason "lunch" --timeout 30 >"$T/pause.out" 2>&1 ||
  fail "pause: $(cat "$T/pause.out")"
grep -q "^pause: paused" "$T/pause.out" || fail "pause output: $(cat "$T/pause.out")"
n=$(settled messages_received)
w=$(settled messages_written)
"$RECGUARD" pause --socket "$SOCK" >"$T/pause2.out" 2>&1 || fail "second pause: $(cat "$T/pause2.out")"
grep -q "already paused" "$T/pause2.out" || fail "second pause output: $(cat "$T/pause2.out")"
hold 3
[ "$(stat_of messages_received)" = "$n" ] || fail "received grew while paused: $n -> $(stat_of messages_received)"
[ "$(stat_of messages_written)" = "$w" ] || fail "written grew while paused: $w -> $(stat_of messages_written)"
[ "$(stat_of paused)" = 1 ] || fail "a repeated pause resumed the recorder"
[ "$(events paused | wc -l)" = 2 ] || fail "paused events: $(events paused)"
events paused | grep -q "operator: pause: lunch" || fail "paused event: $(events paused)"
[ "$(recorder_pid)" = "$pid" ] || fail "replaced while paused"

# A recorder restarted while paused starts paused (the daemon keeps the asked state).
kill -KILL "$pid"
wait_for 30 "a new recorder" pid_changed "$pid"
wait_for 30 "RECORDING again" state_is RECORDING
pid=$(recorder_pid)
wait_for 30 "the new recorder's stats" '[ "$(stat_of pid)" = "$pid" ]'
hold 2
[ "$(stat_of paused)" = 1 ] || fail "the restarted recorder is not paused"
[ "$(stat_of messages_received)" = 0 ] || fail "the restarted recorder received while paused"
[ "$(jst .paused)" = true ] || fail "status: not paused after the restart"

# SIGUSR2 around the daemon (the recorder's own toggle): followed, journaled, not undone.
kill -USR2 "$pid"
wait_for 30 "the resumed event" '[ "$(events resumed | wc -l)" = 2 ]'
events resumed | grep -q "around the daemon" || fail "resumed event: $(events resumed)"
wait_for 30 "messages after SIGUSR2" '[ "$(stat_of messages_received)" -ge 10 ] 2>/dev/null'
[ "$(jst .paused)" = false ] || fail "status after SIGUSR2"
[ "$(stat_of paused)" = 0 ] || fail "the daemon undid the SIGUSR2 resume"

"$RECGUARD" stop --socket "$SOCK" --timeout 60 >/dev/null || fail "stop"
# Not recording: refused, exit 1.
rc=0; "$RECGUARD" pause --socket "$SOCK" >"$T/idle.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q "not recording" "$T/idle.out" || fail "pause when idle: rc $rc $(cat "$T/idle.out")"
stop_daemon
kill -TERM "$DEMO"; wait "$DEMO" || true; DEMO=""
"$RECGUARD" info "$BAG" >"$T/info.out" 2>&1 || fail "info: $(cat "$T/info.out")"

# Another recorder: pause and resume are refused, naming what can pause it.
start_daemon -- "$FAKE" --out '{segment}' --rate 1000
wait_for 30 "RECORDING (fake)" state_is RECORDING
for verb in pause resume; do
  rc=0; "$RECGUARD" "$verb" --socket "$SOCK" >"$T/$verb.fake" 2>&1 || rc=$?
  [ "$rc" = 1 ] || fail "$verb of another recorder exited $rc"
  grep -q "ros2 service call /rosbag2_recorder/$verb" "$T/$verb.fake" || fail "$verb refusal: $(cat "$T/$verb.fake")"
done
[ "$(jst .paused)" = false ] || fail "another recorder shown paused"
stop_daemon
log "PASS"
