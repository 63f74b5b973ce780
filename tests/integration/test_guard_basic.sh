#!/usr/bin/env bash
# The daemon's everyday life with a well-behaved fake recorder: start recording at launch,
# status (human and --json with the documented fields), socket 0600 in a 0700 dir, journals in
# the bag and the state dir, watch, split into a new segment, graceful stop (SIGINT ends it),
# start again into a new bag, a second daemon refused, a client with no daemon, SIGTERM exit,
# and no fd or child leaked along the way.
source "$(dirname "$0")/guard_lib.sh"

# No daemon yet: a clear message and exit 1.
set +e
msg=$("$RECGUARD" status --socket "$SOCK" 2>&1); rc=$?
set -e
[ "$rc" -eq 1 ] || fail "status without a daemon exited $rc"
[[ "$msg" == *"no daemon on $SOCK: connect: No such file or directory"* ]] || fail "message: $msg"

start_daemon -- "$FAKE" --out '{segment}' --rate 20000
wait_for 20 "RECORDING" state_is RECORDING

# socket 0600, its dir created 0700
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK")"
[ "$(stat -c %a "$(dirname "$SOCK")")" = 700 ] || fail "socket dir mode"

# status --json carries the documented fields
j=$(st)
for f in .state .pid .segment .restarts .health.verdict .health.reasons .priority; do
  [ "$(jq "$f != null" <<<"$j")" = true ] || fail "status lacks $f: $j"
done
pid=$(jq -r .pid <<<"$j")
seg=$(jq -r .segment <<<"$j")
bag=$(jq -r .bag_dir <<<"$j")
[[ "$seg" == "$bag/$(basename "$bag")_0.mcap" ]] || fail "first segment $seg in $bag"
kill -0 "$pid" || fail "recorder pid $pid not alive"
[ "$(jq -r .health.verdict <<<"$j")" = ok ] || fail "verdict $(jq -r .health.verdict <<<"$j")"
# isolation: own session, not the daemon's
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "recorder is not a session leader"
# priority reported (applied or refused with a reason, never silently)
jq -e '.priority.nice.status' <<<"$j" >/dev/null || fail "no nice outcome in priority"

# human status
"$RECGUARD" status --socket "$SOCK" | tee "$T/status.txt"
grep -q "^state: *RECORDING" "$T/status.txt" || fail "human status lacks state"
grep -q "pid $pid" "$T/status.txt" || fail "human status lacks pid"

base_fds=$(settled_fds)

# watch sees the split's transitions
"$RECGUARD" watch --json --socket "$SOCK" >"$T/watch.jsonl" &
WATCH=$!
"$RECGUARD" watch --socket "$SOCK" >"$T/watch.txt" &
WATCH2=$!
wait_for 5 "watchers subscribed" '[ "$(jst .clients)" -ge 3 ]'
size_before=$(stat -c %s "$seg")
"$RECGUARD" split --socket "$SOCK" --timeout 20 || fail "split failed"
wait_for 10 "RECORDING after split" state_is RECORDING
seg1=$(jst .segment)
[[ "$seg1" == "$bag/$(basename "$bag")_1.mcap" ]] || fail "segment after split: $seg1"
[ "$(stat -c %s "$seg")" -ge "$size_before" ] || fail "old segment shrank"
wait_for 5 "watch saw the split" 'grep -q "\"trigger\":\"split\"" "$T/watch.jsonl"'
# the human stream: one line per event, time, event, transition and reason
wait_for 5 "human watch line" grep -q "'transition *RECORDING -> STOPPING  operator: split'" "$T/watch.txt"
kill "$WATCH" "$WATCH2"; wait "$WATCH" "$WATCH2" 2>/dev/null || true
[ "$(jst .restarts)" = 0 ] || fail "a split is not a restart"

leak_check "$base_fds" 1

# graceful stop: SIGINT ends it, status says so
"$RECGUARD" stop --socket "$SOCK" --timeout 30 || fail "stop failed"
state_is IDLE || fail "not IDLE after stop"
[ "$(jst .last_exit.ended_by)" = SIGINT ] || fail "ended_by $(jst .last_exit.ended_by)"
[ "$(jst .last_exit.exit_code)" = 0 ] || fail "exit code $(jst .last_exit.exit_code)"
[ "$(count_fake)" = 0 ] || fail "recorder still running after stop"
set +e; "$RECGUARD" stop --socket "$SOCK" 2>"$T/err"; rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q "not recording" "$T/err" || fail "stop when idle: rc $rc $(cat "$T/err")"

# journals: every transition in the bag's recguard.jsonl and the daemon's journal, valid JSON
for f in "$bag/recguard.jsonl" "$OUT/journal.jsonl"; do
  [ -s "$f" ] || fail "missing journal $f"
  jq -e . "$f" >/dev/null || fail "$f is not JSON lines"
  jhas 'select(.event=="transition" and .state=="RECORDING" and .from=="STARTING")' "$f" ||
    fail "$f lacks STARTING->RECORDING"
  jhas 'select(.event=="transition" and .state=="IDLE") | .reason' "$f" || fail "$f lacks IDLE"
done
jq -e -s 'map(select(.time and .ts_ns and .event)) | length > 5' "$bag/recguard.jsonl" >/dev/null ||
  fail "journal lines lack time/ts_ns/event"

# start again: a new bag dir, the old one untouched
"$RECGUARD" start --socket "$SOCK" --timeout 20 || fail "start failed"
bag2=$(jst .bag_dir)
[ "$bag2" != "$bag" ] || fail "start reused the old bag"

# a second daemon on the same state dir is refused, clearly, and the first keeps going
set +e
"$RECGUARD" daemon --socket "$T/other.sock" --output "$OUT" -- "$FAKE" --out '{segment}' >"$T/second.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "second daemon exited $rc"
grep -q "another recguard daemon (pid $DAEMON_PID)" "$T/second.log" || fail "second daemon: $(cat "$T/second.log")"
state_is RECORDING || fail "first daemon disturbed"

# SIGTERM: stops recording gracefully, exits 0, removes its socket
rpid=$(recorder_pid)
stop_daemon
! kill -0 "$rpid" 2>/dev/null || fail "recorder survived the daemon's SIGTERM"
[ ! -e "$SOCK" ] || fail "socket left behind"
jhas 'select(.event=="daemon_exit")' "$OUT/journal.jsonl" || fail "no daemon_exit line"
[ "$(live_test_procs)" = "" ] || fail "processes left: $(live_test_procs)"
log "PASS"
