#!/usr/bin/env bash
# Hostile clients on the control socket: random bytes, an over-long line, half a line then
# vanishing, garbage followed by a good request, a watcher that never reads, more connections
# than allowed (the owner's status still gets in). The daemon answers status after each, keeps
# recording, and leaks no fd. (Other users: test_guard_users.sh.)
source "$(dirname "$0")/guard_lib.sh"

start_daemon -- "$FAKE" --out '{segment}' --rate 20000
wait_for 20 "RECORDING" state_is RECORDING
pid=$(recorder_pid)
base_fds=$(settled_fds)

"$ABUSE" "$SOCK" random 200000 >"$T/random.out" || fail "random client"
grep -q '"ok":false' "$T/random.out" || fail "no error reply to random bytes: $(head -c 300 "$T/random.out")"
state_is RECORDING || fail "status after random bytes"

"$ABUSE" "$SOCK" long 200000 >"$T/long.out" || fail "over-long line not refused: $(cat "$T/long.out")"
grep -q "longer than" "$T/long.out" || fail "long line reply: $(cat "$T/long.out")"
state_is RECORDING || fail "status after long line"

for i in 1 2 3 4 5; do "$ABUSE" "$SOCK" half; done
state_is RECORDING || fail "status after half lines"

"$ABUSE" "$SOCK" garbage-line >"$T/garbage.out" || fail "garbage then status: $(cat "$T/garbage.out")"

dropped0=$(jst .clients_dropped)
"$ABUSE" "$SOCK" slow-watch 200000 >"$T/slow.out" || fail "slow watcher never dropped: $(cat "$T/slow.out")"
[ "$(jst .clients_dropped)" -gt "$dropped0" ] || fail "slow watcher not counted as dropped"
state_is RECORDING || fail "status after slow watcher"

# more connections than the daemon serves (idle ones, a leaked-watcher pattern): the owner's
# status still gets a slot, the longest idle connections are closed to make room
dropped0=$(jst .clients_dropped)
"$ABUSE" "$SOCK" hold 70 15 >"$T/hold.out" &
HOLD=$!
wait_for 20 "70 connections opened" grep -q held "$T/hold.out"
state_is RECORDING || fail "status refused while the daemon is full"
[ "$(jst .clients)" -le 64 ] || fail "more than 64 clients served: $(jst .clients)"
[ "$(jst .clients_dropped)" -gt "$dropped0" ] || fail "no idle connection made room"
kill "$HOLD"
wait "$HOLD" 2>/dev/null || true
wait_for 10 "status after many connections" state_is RECORDING

[ "$(recorder_pid)" = "$pid" ] || fail "the recorder was disturbed"
leak_check "$base_fds" 1
stop_daemon
log "PASS"
