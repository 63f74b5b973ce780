#!/usr/bin/env bash
# A daemon killed with -9 in the middle of a stop or a split: the next daemon adopts the
# recorder and carries on what the state file says was begun, instead of taking the recorder
# back as RECORDING. Stop: the recorder ends and the daemon stays IDLE (no restart). Split: the
# segment ends and the next one starts, nothing overwritten. A recorder whose pid never reached
# the state file is found by its segment. A stop whose recorder ended while no daemon ran stays
# a stop.
source "$(dirname "$0")/guard_lib.sh"
REC=(-- "$FAKE" --out '{segment}' --rate 20000 --flush-ms 2500 --spawn-log "$SPAWNS")
kill_daemon() {
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}

# -- stop
start_daemon "${REC[@]}"
wait_recorder 1
pid=$(recorder_pid)
"$RECGUARD" stop --socket "$SOCK" --no-wait >/dev/null || fail "stop refused"
wait_for 10 "STOPPING" state_is STOPPING
jq -e '.state == "STOPPING" and .then == "idle"' "$OUT/state.json" >/dev/null || fail "state file: $(cat "$OUT/state.json")"
kill_daemon
kill -0 "$pid" || fail "the recorder ended before the new daemon came (flush too short for this machine?)"
start_daemon "${REC[@]}"
wait_for 30 "IDLE after the resumed stop" state_is IDLE
jhas 'select(.event=="transition" and .state=="STOPPING" and (.reason | test("resuming the previous daemon.s stop")))' \
  "$OUT/journal.jsonl" || fail "the stop was not resumed"
[ "$(spawn_count)" = 1 ] || fail "a recorder was started again: $(spawn_count) spawns"
[ "$(count_fake)" = 0 ] || fail "recorder still running"
stop_daemon
log "PASS (stop resumed)"

# -- split
rm -rf "$OUT" "$SPAWNS"
start_daemon "${REC[@]}"
wait_recorder 1
seg0=$(jst .segment)
bag=$(jst .bag_dir)
"$RECGUARD" split --socket "$SOCK" --no-wait >/dev/null || fail "split refused"
wait_for 10 "STOPPING for the split" state_is STOPPING
jq -e '.then == "split"' "$OUT/state.json" >/dev/null || fail "state file: $(cat "$OUT/state.json")"
kill_daemon
start_daemon "${REC[@]}"
wait_recorder 2
[ "$(jst .bag_dir)" = "$bag" ] || fail "the split opened another bag"
[[ "$(jst .segment)" == *_1.mcap ]] || fail "segment after the split: $(jst .segment)"
jhas 'select(.event=="transition" and (.reason | test("resuming the previous daemon.s split")))' "$OUT/journal.jsonl" ||
  fail "the split was not resumed"
[ "$(count_fake)" = 1 ] || fail "$(count_fake) recorders running"
size0=$(stat -c %s "$seg0")
[ "$(head -n 1 "$seg0" | awk '{print $2}')" = "$(spawn_field 1 1)" ] || fail "segment 0 overwritten"
stop_daemon
[ "$(stat -c %s "$seg0")" = "$size0" ] || fail "segment 0 changed after the split"
log "PASS (split resumed)"

# -- a daemon killed between a spawn and the save of its pid: the state file names the segment
# (saved before the fork) but no pid; the next daemon finds the recorder by its argv
rm -rf "$OUT" "$SPAWNS"
start_daemon "${REC[@]}"
wait_recorder 1
pid=$(recorder_pid)
seg=$(jst .segment)
kill_daemon
jq '.recorder_pid = 0 | .recorder_starttime = 0' "$OUT/state.json" >"$T/state.tmp" && mv "$T/state.tmp" "$OUT/state.json"
start_daemon "${REC[@]}"
wait_for 20 "RECORDING (found by its segment)" state_is RECORDING
[ "$(recorder_pid)" = "$pid" ] || fail "adopted $(recorder_pid), not the running recorder $pid"
[ "$(jst .segment)" = "$seg" ] || fail "segment $(jst .segment)"
[ "$(spawn_count)" = 1 ] || fail "a second recorder was started beside it: $(spawn_count) spawns"
stop_daemon
log "PASS (recorder found by its segment)"

# -- a stop whose recorder ended while no daemon ran: the stop stands
rm -rf "$OUT" "$SPAWNS"
start_daemon "${REC[@]}"
wait_recorder 1
pid=$(recorder_pid)
"$RECGUARD" stop --socket "$SOCK" --no-wait >/dev/null || fail "stop refused"
wait_for 10 "STOPPING" state_is STOPPING
kill_daemon
wait_for 20 "the recorder finished its stop alone" '! kill -0 '"$pid"' 2>/dev/null || [ "$(proc_state '"$pid"')" = Z ]'
start_daemon "${REC[@]}"
wait_for 20 "IDLE" state_is IDLE
jst .reason | grep -q "staying idle" || fail "reason: $(jst .reason)"
[ "$(spawn_count)" = 1 ] || fail "recording restarted after a stop: $(spawn_count) spawns"
stop_daemon
log "PASS (finished stop stands)"
