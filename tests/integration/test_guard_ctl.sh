#!/usr/bin/env bash
# Hostile clients on the control socket: random bytes, an over-long line, half a line then
# vanishing, garbage followed by a good request, a watcher that never reads, more connections
# than allowed. The daemon answers status after each, keeps recording, and leaks no fd.
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

# more connections than the daemon serves: the extra ones are refused with a reason, and once
# they go, status answers again
full() { local o; o=$("$RECGUARD" status --socket "$SOCK" 2>&1) || true; [[ "$o" == *"too many clients"* ]]; }
"$ABUSE" "$SOCK" hold 70 15 >"$T/hold.out" &
HOLD=$!
wait_for 20 "70 connections opened" grep -q held "$T/hold.out"
wait_for 10 "the daemon refusing connections beyond its limit" full
kill "$HOLD"
wait "$HOLD" 2>/dev/null || true
wait_for 10 "status after many connections" state_is RECORDING

# another user: the 0700 dir and 0600 socket keep it out; with both opened up on purpose, the
# daemon's SO_PEERCRED check still refuses it
if [ "$(id -u)" = 0 ]; then
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$RECGUARD" status --socket "$SOCK" 2>&1 || true; }
  [[ "$(as_nobody)" == *"Permission denied"* ]] || fail "another user reached the socket: $(as_nobody)"
  chmod 755 "$T" "$(dirname "$SOCK")"; chmod 666 "$SOCK"
  [[ "$(as_nobody)" == *"permission denied: not the daemon's user"* ]] || fail "peer check: $(as_nobody)"
  chmod 700 "$(dirname "$SOCK")"; chmod 600 "$SOCK"
  state_is RECORDING || fail "status after the refused user"
fi

[ "$(recorder_pid)" = "$pid" ] || fail "the recorder was disturbed"
leak_check "$base_fds" 1
stop_daemon
log "PASS"
