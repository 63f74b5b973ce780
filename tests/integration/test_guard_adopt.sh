#!/usr/bin/env bash
# Daemon kill -9: the recorder keeps recording (its segment keeps growing), a new daemon
# re-adopts the same process (identity checked, no duplicate), monitors it (a crash is still
# seen and replaced) and stops it gracefully. A state file naming a pid that now belongs to
# another process (wrong start time) is never adopted.
source "$(dirname "$0")/guard_lib.sh"

start_daemon -- "$FAKE" --out '{segment}' --rate 50000 --spawn-log "$T/spawns"
wait_for 20 "RECORDING" state_is RECORDING
pid=$(recorder_pid)
seg=$(jst .segment)

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
kill -0 "$pid" || fail "recorder died with the daemon"
s1=$(stat -c %s "$seg")
wait_for 10 "segment grows with no daemon" '[ "$(stat -c %s "$seg")" -gt "$s1" ]'

start_daemon -- "$FAKE" --out '{segment}' --rate 50000 --spawn-log "$T/spawns"
wait_for 20 "RECORDING after re-adoption" state_is RECORDING
[ "$(recorder_pid)" = "$pid" ] || fail "adopted pid $(recorder_pid), expected $pid"
[ "$(jst .adopted)" = true ] || fail "not marked adopted"
[ "$(jst .segment)" = "$seg" ] || fail "segment changed on adoption"
[ "$(wc -l <"$T/spawns")" = 1 ] || fail "a duplicate recorder was spawned"
[ "$(count_fake)" = 1 ] || fail "$(count_fake) recorders running"
bag=$(jst .bag_dir)
jhas 'select(.event=="transition" and .trigger=="adopted")' "$bag/recguard.jsonl" ||
  fail "adoption not journaled"
s2=$(stat -c %s "$seg")
wait_for 10 "segment still grows" '[ "$(stat -c %s "$seg")" -gt "$s2" ]'

# SIGQUIT: the daemon exits 0 and leaves the recorder running; the next one adopts it again
kill -QUIT "$DAEMON_PID"
rc=0; wait "$DAEMON_PID" || rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "daemon exited $rc on SIGQUIT"
kill -0 "$pid" || fail "SIGQUIT took the recorder down"
jhas 'select(.event=="daemon_exit") | .reason | test("left running")' "$OUT/journal.jsonl" || fail "no daemon_exit line"
start_daemon -- "$FAKE" --out '{segment}' --rate 50000 --spawn-log "$T/spawns"
wait_for 20 "RECORDING after the second adoption" state_is RECORDING
[ "$(recorder_pid)" = "$pid" ] || fail "second adoption: pid $(recorder_pid)"
[ "$(wc -l <"$T/spawns")" = 1 ] || fail "a duplicate recorder was spawned"

# graceful stop of the adopted (non-child) recorder
"$RECGUARD" stop --socket "$SOCK" --timeout 30 || fail "stop of adopted recorder failed"
[ "$(jst .last_exit.ended_by)" = SIGINT ] || fail "ended_by $(jst .last_exit.ended_by)"
wait_for 10 "recorder gone" '[ "$(count_fake)" = 0 ]'
grep -q "stopped cleanly" "${seg%.mcap}.log" || fail "recorder log lacks its clean stop"
stop_daemon

# A reused pid: a live process whose start time differs from the state file's. Never adopted.
sleep 300 &
other=$!
st_file="$OUT/state.json"
starttime=$(awk '{print $22}' "/proc/$other/stat")
jq --argjson p "$other" --argjson s $((starttime + 1)) \
  '.recorder_pid=$p | .recorder_starttime=$s | .state="RECORDING"' "$st_file" >"$st_file.new"
mv "$st_file.new" "$st_file"
start_daemon -- "$FAKE" --out '{segment}' --rate 50000 --spawn-log "$T/spawns"
wait_for 20 "RECORDING with a new recorder" state_is RECORDING
[ "$(recorder_pid)" != "$other" ] || fail "adopted an unrelated process"
[ "$(jst .adopted)" = false ] || fail "marked adopted"
kill -0 "$other" || fail "the unrelated process was harmed"
grep -q "adopt_failed" "$OUT/journal.jsonl" || fail "refusal not journaled"
jhas 'select(.event=="adopt_failed") | .reason | test("reuse|another process")' "$OUT/journal.jsonl" ||
  fail "refusal reason: $(grep adopt_failed "$OUT/journal.jsonl")"
kill "$other"
stop_daemon
[ "$(count_fake)" = 0 ] || fail "recorders left"
log "PASS"
