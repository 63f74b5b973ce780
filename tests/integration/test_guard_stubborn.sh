#!/usr/bin/env bash
# A recorder that ignores SIGINT and SIGTERM: the stop ladder escalates SIGINT -> SIGTERM ->
# SIGKILL, status and journal say SIGKILL ended it, and a recorder that takes its time to flush
# is given the flush timeout (ends with SIGINT).
source "$(dirname "$0")/guard_lib.sh"

start_daemon --set stop.flush_timeout=1s --set stop.term_timeout=1s \
  -- "$FAKE" --out '{segment}' --ignore-signals
wait_for 20 "RECORDING" state_is RECORDING
pid=$(recorder_pid)
base_fds=$(settled_fds)
"$RECGUARD" stop --socket "$SOCK" --timeout 30 || fail "stop failed"
[ "$(jst .last_exit.ended_by)" = SIGKILL ] || fail "ended_by $(jst .last_exit.ended_by)"
jst .reason | grep -q SIGKILL || fail "reason: $(jst .reason)"
! kill -0 "$pid" 2>/dev/null || fail "recorder alive"
bag=$(jst .bag_dir)
[ -z "$bag" ] && bag=$(dirname "$(jst .last_exit.segment)")
for s in SIGINT SIGTERM SIGKILL; do
  jhas "select(.event==\"signal\" and .signal==\"$s\")" "$bag/recguard.jsonl" ||
    fail "journal lacks $s"
done
# recording again: the daemon holds what it held before the escalation (no fd, no child kept)
"$RECGUARD" start --socket "$SOCK" --timeout 20 >/dev/null || fail "start after stop"
leak_check "$base_fds" 1
stop_daemon

# slow but cooperative: 1.5 s to flush within a 5 s flush timeout -> ended by SIGINT, exit 0
start_daemon --set stop.flush_timeout=5s -- "$FAKE" --out '{segment}' --flush-ms 1500
wait_for 20 "RECORDING" state_is RECORDING
"$RECGUARD" stop --socket "$SOCK" --timeout 30 || fail "stop failed"
[ "$(jst .last_exit.ended_by)" = SIGINT ] || fail "ended_by $(jst .last_exit.ended_by)"
[ "$(jst .last_exit.exit_code)" = 0 ] || fail "exit $(jst .last_exit.exit_code)"
stop_daemon
log "PASS"
