#!/usr/bin/env bash
# What another user on the machine can do to a daemon, tried for real as a second user:
#   - pre-create the socket's directory: the daemon refuses it, naming the dir, owner and mode;
#   - serve a forged socket: clients refuse to trust a server of another uid;
#   - connect to a daemon whose dir and socket were opened up: SO_PEERCRED refuses it;
#   - plant symlinks in a state dir it owns (lock, journal, state temp file): the root daemon
#     never writes through them, the files they point to stay untouched.
# Also one daemon per socket: two daemons started at once on one socket (separate state
# dirs), exactly one serves it, and the other's exit leaves the winner's socket in place.
source "$(dirname "$0")/guard_lib.sh"

U2=$(second_user)
if [ -z "$U2" ]; then
  log "SKIP: needs root and a second user (useradd)"
  exit 77
fi
chmod 755 "$T"
PUB="$T/pub" # like /tmp: everybody may create here
mkdir -m 1777 "$PUB"
SECRET="$T/secret" # a root-only file the second user wants the daemon to write
echo precious >"$SECRET"
chmod 600 "$SECRET"
secret_intact() { [ "$(cat "$SECRET")" = precious ]; }

# ---- a socket directory made by someone else is refused
as_user "$U2" mkdir -m 755 "$PUB/rg-dir"
set +e
"$RECGUARD" daemon --socket "$PUB/rg-dir/ctl.sock" --output "$OUT" "${FAST[@]}" -- "$FAKE" --out '{segment}' >"$T/d1.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "daemon accepted a socket dir of another user (exit $rc)"
grep -q "socket dir($PUB/rg-dir): directory owned by uid $(id -u "$U2") with mode 0755" "$T/d1.log" ||
  fail "refusal does not name dir, owner and mode: $(cat "$T/d1.log")"
[ ! -e "$PUB/rg-dir/ctl.sock" ] || fail "socket created in a refused dir"
# ours, but opened up: refused too
mkdir -m 755 "$PUB/mine"
set +e
"$RECGUARD" daemon --socket "$PUB/mine/ctl.sock" --output "$OUT" "${FAST[@]}" -- "$FAKE" --out '{segment}' >"$T/d2.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "with mode 0755; it must be" "$T/d2.log" || fail "0755 dir of ours: $rc $(cat "$T/d2.log")"

# ---- a forged server: the client refuses a server of another uid before reading its reply
as_user "$U2" mkdir -m 755 "$PUB/forge"
as_user "$U2" "$ABUSE" "$PUB/forge/ctl.sock" serve 60 >"$T/forger.log" 2>&1 &
wait_for 20 "the forger listening" grep -q serving "$T/forger.log"
for verb in status stop; do
  set +e
  out=$("$RECGUARD" "$verb" --socket "$PUB/forge/ctl.sock" 2>&1)
  rc=$?
  set -e
  [ "$rc" = 1 ] || fail "$verb trusted a forged server (exit $rc): $out"
  [[ "$out" == *"served by uid $(id -u "$U2"), not by you (uid 0) or root: not trusted"* ]] ||
    fail "$verb: $out"
  [[ "$out" != *RECORDING* && "$out" != *forged* ]] || fail "$verb printed the forger's reply: $out"
done

# ---- one daemon per socket: two started at once, one wins
mkdir -p "$T/s1" "$T/s2"
"$RECGUARD" daemon --socket "$SOCK" --output "$T/s1" "${FAST[@]}" -- "$FAKE" --out '{segment}' >"$T/a.log" 2>&1 &
A=$!
"$RECGUARD" daemon --socket "$SOCK" --output "$T/s2" "${FAST[@]}" -- "$FAKE" --out '{segment}' >"$T/b.log" 2>&1 &
B=$!
exited() { ! kill -0 "$1" 2>/dev/null; }
wait_for 30 "one of the two daemons refused" 'exited $A || exited $B'
if exited "$A"; then DAEMON_PID=$B LOSER=$A LOSER_LOG=$T/a.log; else DAEMON_PID=$A LOSER=$B LOSER_LOG=$T/b.log; fi
rc=0
wait "$LOSER" || rc=$?
[ "$rc" = 1 ] || fail "the second daemon exited $rc"
grep -q "socket($SOCK): another recguard daemon (pid $DAEMON_PID) serves it" "$LOSER_LOG" ||
  fail "loser's message: $(cat "$LOSER_LOG")"
[ -S "$SOCK" ] || fail "the loser removed the winner's socket"
wait_for 20 "RECORDING" state_is RECORDING
[ "$(jst .daemon_pid)" = "$DAEMON_PID" ] || fail "the socket is not served by the winner"

# ---- the second user against the live daemon: no way in, even with the dir and socket opened
u2_status() { as_user "$U2" "$RECGUARD" status --socket "$SOCK" 2>&1 || true; }
[[ "$(u2_status)" == *"Permission denied"* ]] || fail "second user reached the socket: $(u2_status)"
chmod 755 "$(dirname "$SOCK")"
chmod 666 "$SOCK"
[[ "$(u2_status)" == *"permission denied: not the daemon's user"* ]] || fail "peer check: $(u2_status)"
u2_stop=$(as_user "$U2" "$RECGUARD" stop --socket "$SOCK" 2>&1 || true)
[[ "$u2_stop" == *"not the daemon's user"* ]] || fail "second user's stop: $u2_stop"
chmod 700 "$(dirname "$SOCK")"
chmod 600 "$SOCK"
state_is RECORDING || fail "the refused user disturbed the daemon"
stop_daemon

# ---- symlinks planted by the second user in a state dir it owns
STATE="$PUB/state"
as_user "$U2" mkdir -m 755 "$STATE"
plant() { as_user "$U2" ln -sfn "$SECRET" "$STATE/$1"; }
try_daemon() { # try_daemon LOG: a daemon on $STATE that must refuse to start
  local rc=0
  "$RECGUARD" daemon --socket "$SOCK" --output "$OUT" --state-dir "$STATE" "${FAST[@]}" -- "$FAKE" --out '{segment}' >"$1" 2>&1 || rc=$?
  [ "$rc" = 1 ] || fail "daemon started over a planted symlink (exit $rc): $(cat "$1")"
  secret_intact || fail "the daemon wrote through a planted symlink ($1)"
}
plant daemon.lock
try_daemon "$T/lock.log"
grep -q "lock($STATE/daemon.lock): Too many levels of symbolic links" "$T/lock.log" || fail "lock: $(cat "$T/lock.log")"
as_user "$U2" rm "$STATE/daemon.lock"
plant journal.jsonl
try_daemon "$T/journal.log"
grep -q "journal.jsonl): Too many levels of symbolic links" "$T/journal.log" || fail "journal: $(cat "$T/journal.log")"
as_user "$U2" rm "$STATE/journal.jsonl"
# the state file's temp name is predictable from the daemon's pid: planted while it runs, it
# is replaced by a file of the daemon's own, never written through
"$RECGUARD" daemon --socket "$SOCK" --output "$OUT" --state-dir "$STATE" "${FAST[@]}" -- "$FAKE" --out '{segment}' >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 20 "RECORDING with a state dir of the second user" state_is RECORDING
plant "state.json.tmp.$DAEMON_PID"
"$RECGUARD" split --socket "$SOCK" --timeout 20 >/dev/null || fail "split"
"$RECGUARD" stop --socket "$SOCK" --timeout 20 >/dev/null || fail "stop"
secret_intact || fail "the state file was written through a planted symlink"
[ -f "$STATE/state.json" ] && [ ! -L "$STATE/state.json" ] || fail "state.json is not a regular file"
jq -e '.state == "IDLE"' "$STATE/state.json" >/dev/null || fail "state.json: $(cat "$STATE/state.json")"
stop_daemon
secret_intact || fail "secret changed"
log "PASS"
