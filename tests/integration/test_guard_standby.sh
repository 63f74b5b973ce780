#!/usr/bin/env bash
# redundancy: standby with the real built-in recorder under a 1 kHz sequenced publisher (ROS 2
# default QoS: reliable, keep last 10):
#  1. kill -9 of the recorder: the ready standby is promoted (journal `promoted` with the old
#     recorder's end), a new standby follows the promoted recorder, recording goes on in a new
#     segment;
#  2. kill -9 of the standby: a new one is started, the recorder is untouched (no restart);
#  3. SIGSTOP of the recorder: found hung, killed, the standby takes over;
#  4. kill -9 of both at once: the plain restart, then a new standby;
#  6. kill -9 of the daemon: the next one adopts the recorder, kills the old standby (identity
#     checked), starts a fresh one, which takes over from the adopted recorder at its kill;
#  7. split: the standby is ended with the segment, a new one follows the next recorder;
#  5. stop: both end, nothing of either left; a standby never wrote a file of its own.
# Across the promotions (1 to 3) the segments hold every sequence number once, in order, none
# missing (read by @mcap/core and rosmsg2-serialization); the plain restart's loss is printed.
source "$(dirname "$0")/guard_lib.sh"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="standby-$$-$RANDOM"
: "${RG_E2E_DIR:=$RG_SOURCE_DIR/tests/e2e}"
[ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] || { echo "tests/e2e/node_modules missing (make deps): skipping"; exit 77; }
node_e2e() { (cd "$RG_E2E_DIR" && node "$@"); }

start_daemon --set redundancy=standby --set health.hang_timeout=2s
wait_for 30 "RECORDING" state_is RECORDING
bag=$(jst .bag_dir)
J="$bag/recguard.jsonl"
"$RG_HELPERS/helper_rdds_pub" --topic rt/seq --rate 1000 --duration 100000 --match-timeout 60 \
  --min-match 2 >"$T/pub.log" 2>&1 &
PUB=$!
wait_for 60 "publisher matched by the recorder and the standby" 'grep -q matched "$T/pub.log"'

sb_pid() { jst .standby.pid; }
sb_ready() { [ "$(jst .standby.state)" = ready ]; }
# new_standby_ready OLD...: a standby other than the given pids is ready
new_standby_ready() {
  local s
  s=$(sb_pid)
  [ "$s" != 0 ] && sb_ready || return 1
  for p in "$@"; do [ "$s" != "$p" ] || return 1; done
}
written() { jst '.data.messages_written // 0'; }
# recording_more N: the recorder has written N more messages than when asked
recording_more() { local w0; w0=$(written); wait_for 30 "$1 more messages written" '[ "$(written)" -ge $(( '"$w0"' + '"$1"' )) ]'; }
promoted_from() { jhas "select(.event==\"promoted\" and .old_pid==$1 and .pid==$2)" "$J"; }

wait_for 60 "standby ready" sb_ready
[ "$(jst .standby.pid)" != "$(recorder_pid)" ] || fail "the standby is the recorder"
[ ! -e "$(jst .standby.segment)" ] || fail "the standby wrote before its promotion"
jhas 'select(.event=="standby_started")' "$J" || fail "no standby_started event"
jhas 'select(.event=="standby_ready")' "$J" || fail "no standby_ready event"
"$RECGUARD" status --socket "$SOCK" >"$T/status.txt"
grep -q "^standby:    pid $(sb_pid), ready, [0-9]* topics, [0-9]* messages received" "$T/status.txt" || fail "status text: $(cat "$T/status.txt")"
recording_more 1000

log "1: kill -9 of the recorder"
p1=$(recorder_pid); s1=$(sb_pid); seg1=$(jst .segment)
kill -KILL "$p1"
wait_for 30 "the standby promoted" '[ "$(recorder_pid)" = "$s1" ]'
wait_for 10 "promoted event" promoted_from "$p1" "$s1"
jhas "select(.event==\"promoted\" and .old_pid==$p1) | .exit.signal == \"SIGKILL\"" "$J" ||
  fail "promoted event lacks the old recorder's end"
wait_for 60 "a new standby ready" new_standby_ready "$s1"
wait_for 30 "RECORDING" state_is RECORDING
[ "$(jst .segment)" != "$seg1" ] || fail "the promoted recorder writes the old segment"
wait_for 30 "the promoted recorder's segment" '[ -s "$(jst .segment)" ]'
recording_more 1000

log "2: kill -9 of the standby"
p2=$(recorder_pid); s2=$(sb_pid); r2=$(jst .restarts)
kill -KILL "$s2"
wait_for 30 "standby_exit" jhas "\"select(.event==\\\"standby_exit\\\" and .standby_pid==$s2)\"" "$J"
wait_for 60 "a new standby ready" new_standby_ready "$s2"
[ "$(recorder_pid)" = "$p2" ] || fail "the recorder was replaced when its standby died"
[ "$(jst .restarts)" = "$r2" ] || fail "a standby's end counted as a restart"
state_is RECORDING || fail "state $(jst .state) after the standby's end"
recording_more 1000

log "3: SIGSTOP of the recorder"
p3=$(recorder_pid); s3=$(sb_pid)
kill -STOP "$p3"
wait_for 60 "the hung recorder replaced by its standby" '[ "$(recorder_pid)" = "$s3" ]'
wait_for 10 "promoted event" promoted_from "$p3" "$s3"
jhas 'select(.event=="transition" and .trigger=="unhealthy")' "$J" || fail "the hang was not seen"
wait_for 60 "a new standby ready" new_standby_ready "$s3"
recording_more 1000
last_promoted=$(jst .segment_index)

log "4: kill -9 of both"
p4=$(recorder_pid); s4=$(sb_pid)
kill -KILL "$p4" "$s4"
wait_for 60 "a plain restart" '[ "$(recorder_pid)" != 0 ] && [ "$(recorder_pid)" != "$p4" ] && [ "$(recorder_pid)" != "$s4" ]'
jhas 'select(.event=="transition" and .trigger=="backoff_elapsed")' "$J" || fail "no plain restart"
wait_for 60 "RECORDING" state_is RECORDING
first_plain=$(jst .segment_index)
wait_for 60 "a new standby ready" new_standby_ready "$s4"
recording_more 1000

log "6: daemon kill -9: the next daemon adopts the recorder, ends the old standby, starts its own"
p6=$(recorder_pid); s6=$(sb_pid)
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
start_daemon --set redundancy=standby --set health.hang_timeout=2s
wait_for 30 "RECORDING (adopted)" state_is RECORDING
[ "$(recorder_pid)" = "$p6" ] && [ "$(jst .adopted)" = true ] || fail "the recorder was not adopted"
wait_for 30 "the old standby ended" '[ ! -d /proc/'"$s6"' ] || [ "$(proc_state '"$s6"')" = Z ]'
wait_for 60 "a new standby ready" new_standby_ready "$s6"
recording_more 1000
# and it takes over from the adopted recorder
s7=$(sb_pid)
kill -KILL "$p6"
wait_for 30 "the standby promoted after adoption" '[ "$(recorder_pid)" = "$s7" ]'
wait_for 60 "a new standby ready" new_standby_ready "$s7"
recording_more 1000

log "7: split: the standby ends with its recorder's segment, a new one follows the next recorder"
p8=$(recorder_pid); s8=$(sb_pid); before_split=$(jst .segment_index)
"$RECGUARD" split --socket "$SOCK" >/dev/null || fail "split"
wait_for 60 "the next recorder" '[ "$(recorder_pid)" != 0 ] && [ "$(recorder_pid)" != "$p8" ]'
[ "$(recorder_pid)" != "$s8" ] || fail "a split promoted the standby"
wait_for 60 "a new standby" new_standby_ready "$s8"
jhas "select(.event==\"standby_exit\" and .standby_pid==$s8 and .expected)" "$J" || fail "the split's standby did not end as asked"

log "5: stop"
"$RECGUARD" stop --socket "$SOCK" --timeout 40 >/dev/null || fail "stop"
wait_for 30 "IDLE" state_is IDLE
wait_for 30 "the standby ended" '[ "$(sb_pid)" = 0 ]'
[ -z "$(old_procs=$(live_test_procs); for p in $old_procs; do [ "$p" = "$DAEMON_PID" ] || [ "$p" = "$PUB" ] || echo "$p"; done)" ] ||
  fail "a recorder or standby is left after stop: $(live_test_procs)"
kill -INT "$PUB"
wait "$PUB" 2>/dev/null || true
stop_daemon
[ -z "$(ls "$OUT"/positions.* 2>/dev/null)" ] || fail "positions files left after the stop: $(ls "$OUT"/positions.*)"

# Every segment valid; no sequence number twice or out of order; none missing across the
# promotions (segments up to the one the last promoted recorder wrote).
wait_for 120 "post-crash hooks done" '! pgrep -f "recover $bag/" >/dev/null'
seg_index() { local b; b=$(basename "$1" .mcap); echo "${b##*_}"; }
files=() upto=() since=()
for f in $(for g in "$bag"/*.mcap; do [[ "$g" == *.recovered.mcap ]] || echo "$(seg_index "$g") $g"; done |
           sort -n | awk '{print $2}'); do
  i=$(seg_index "$f")
  r="${f%.mcap}.recovered.mcap" # the post-crash hook's repair of a cut segment
  [ -f "$r" ] && f=$r
  node_e2e validate_mcap.mjs "$f" >"$T/v.json" || fail "$f: invalid: $(head -c 400 "$T/v.json")"
  files+=("$f")
  if [ "$i" -le "$last_promoted" ]; then upto+=("$f"); fi
  # (a split is a stop and a start, with the gap of one: not a takeover)
  if [ "$i" -ge "$first_plain" ] && [ "$i" -le "$before_split" ]; then since+=("$f"); fi
done
# per segment: where a gap is (at a boundary: the takeover; inside: DDS), for the messages below
for f in "${files[@]}"; do
  echo "$(basename "$f") $(node_e2e rec_seq.mjs --topic /seq --ros-field data "$f" | jq -c '[.first, .last, .count, .gaps]')"
done >"$T/per_segment.txt"
log "per segment [first, last, count, gaps]: $(tr '\n' ';' <"$T/per_segment.txt")"
node_e2e rec_seq.mjs --topic /seq --ros-field data "${files[@]}" >"$T/all.json" || fail "rec_seq over all segments"
node_e2e rec_seq.mjs --topic /seq --ros-field data "${upto[@]}" >"$T/promoted.json" || fail "rec_seq up to the promotions"
node_e2e rec_seq.mjs --topic /seq --ros-field data "${since[@]}" >"$T/adopted.json" || fail "rec_seq after the plain restart"
# on a data failure, what the recorders said (drops, positions, takeover summaries)
data_fail() {
  echo "---- standby.log"; tail -n 40 "$OUT/standby.log" 2>/dev/null || true
  for l in "$bag"/*.log; do echo "---- $l"; tail -n 15 "$l"; done
  fail "$@"
}
log "all segments: $(cat "$T/all.json")"
log "through the promotions: $(cat "$T/promoted.json")"
[ "$(jq .dups "$T/all.json")" = 0 ] && [ "$(jq .outOfOrder "$T/all.json")" = 0 ] || data_fail "duplicates or disorder"
[ "$(jq .gaps "$T/promoted.json")" = 0 ] || data_fail "messages lost across a promotion"
[ "$(jq .gaps "$T/adopted.json")" = 0 ] || data_fail "messages lost across the promotion after adoption: $(cat "$T/adopted.json")"
log "plain restart (both killed) lost $(( $(jq .gaps "$T/all.json") )) messages"
log "PASS"
