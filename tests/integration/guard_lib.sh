# Shared by the guardian's integration tests (sourced, not a test itself). Each test gets its
# own temp dir, socket and output dir; every process it starts is ended by the EXIT trap.
# Waits are bounded polls on conditions (wait_for), never sleeps that correctness relies on.
set -euo pipefail
: "${RECGUARD:?RECGUARD must name the recguard binary}" "${RG_HELPERS:?RG_HELPERS must be set}"
FAKE="$RG_HELPERS/helper_fake_recorder"
ABUSE="$RG_HELPERS/helper_ctl_abuse"
T=$(mktemp -d /tmp/rg_guard.XXXXXX)
SOCK="$T/run/ctl.sock"
OUT="$T/out"
DAEMON_PID=""
# Fast timings for tests; each test may add its own --set options.
FAST=(--set check_interval=100ms --set stop.flush_timeout=3s --set stop.term_timeout=2s
      --set stop.kill_timeout=2s --set health.start_timeout=5s --set health.stall_timeout=3s
      --set health.hang_timeout=1s --set restart.backoff_initial=200ms --set restart.backoff_cap=1s
      --set disk.stop_free=1MiB --set disk.stop_used=off --set disk.warning_free=2MiB
      --set disk.warning_used=off)

log() { echo "[$(date +%T.%3N)] $*"; }
fail() {
  log "FAIL: $*"
  dump
  exit 1
}
dump() {
  echo "---- daemon log"; tail -n 60 "$T/daemon.log" 2>/dev/null || true
  echo "---- status"; "$RECGUARD" status --json --socket "$SOCK" 2>&1 | head -n 80 || true
}

now_ms() { date +%s%3N; }
# wait_for SECONDS "what" CONDITION...: evaluate CONDITION (eval'd afresh every 50 ms, so pass
# '[ "$(stat -c %s "$f")" -gt 0 ]' in single quotes) until it holds; fail the test after.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local end=$(( $(now_ms) + secs * 1000 ))
  until eval "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$end" ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.05
  done
}

st() { "$RECGUARD" status --json --socket "$SOCK"; }
# jst FILTER: one value of the status object (jq -r).
jst() { st | jq -r "$1"; }
state_is() { [ "$(jst .state)" = "$1" ]; }
pid_changed() { local p; p=$(jst .pid); [ "$p" != "0" ] && [ "$p" != "$1" ]; }
recorder_pid() { jst .pid; }

start_daemon() {
  "$RECGUARD" daemon --socket "$SOCK" --output "$OUT" "${FAST[@]}" "$@" >>"$T/daemon.log" 2>&1 &
  DAEMON_PID=$!
  wait_for 20 "the daemon's socket" test -S "$SOCK"
}

# Stop the daemon with SIGTERM (stops recording gracefully) and require exit code 0 — under
# ASan that also means no leak.
stop_daemon() {
  [ -n "$DAEMON_PID" ] || return 0
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  [ "$rc" -eq 0 ] || fail "daemon exited with $rc after SIGTERM"
  # SIGTERM stops recording: a recorder still alive now was leaked
  [ "$(count_fake)" = 0 ] || fail "recorder(s) left running after the daemon's SIGTERM"
}

# Live (non-zombie) processes whose command line mentions this test's dir.
live_test_procs() {
  local p out=""
  for p in $(pgrep -f "$T" || true); do
    [ "$p" = "$$" ] && continue
    [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = "Z" ] && continue
    grep -q "$T" "/proc/$p/cmdline" 2>/dev/null && out="$out $p"
  done
  echo "$out"
}
count_fake() { # live fake recorders of this test
  local n=0 p
  for p in $(live_test_procs); do
    # argv[0] only: the daemon's own command line names the fake recorder too
    [[ "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -n 1)" == *helper_fake_recorder ]] && n=$((n + 1))
  done
  echo "$n"
}

daemon_fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
# The baseline: the count once the last client's connection is gone (two equal reads 200 ms
# apart, at most 10 s), so a status call just made does not inflate it.
settled_fds() {
  local a b i
  a=$(daemon_fds)
  for i in $(seq 50); do
    sleep 0.2
    b=$(daemon_fds)
    [ "$a" = "$b" ] && break
    a=$b
  done
  echo "$a"
}
fds_are() { [ "$(daemon_fds)" -eq "$1" ]; }
# Children of the daemon (zombies included: an unreaped child is a leak too).
daemon_children() { ps -o pid= --ppid "$DAEMON_PID" | wc -l; }
children_are() { [ "$(daemon_children)" -eq "$1" ]; }

# leak_check BASE_FDS CHILDREN: the daemon holds what it held at the baseline (allowing its
# clients a moment to go away) and exactly CHILDREN children.
leak_check() {
  wait_for 5 "daemon fd count back to $1: fd leak" fds_are "$1" || true
  fds_are "$1" || fail "daemon holds $(daemon_fds) fds, $1 at the baseline: fd leak"
  wait_for 5 "daemon has exactly $2 children" children_are "$2"
}

# second_user: the name of another user on this machine (created if absent; needs root). The
# socket and symlink rules are about what another user can do, so tests run commands as it
# with as_user. Prints nothing when no second user can be had (the caller skips with 77).
RG_USER2=recguard-test
second_user() {
  [ "$(id -u)" = 0 ] || return 0
  id -u "$RG_USER2" >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RG_USER2" >/dev/null 2>&1 ||
    true # another test may have created it at the same moment
  id -u "$RG_USER2" >/dev/null 2>&1 && echo "$RG_USER2"
}
as_user() { # as_user NAME CMD...: run CMD as NAME, no supplementary groups
  local u=$1
  shift
  setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --clear-groups "$@"
}

journal_has() { grep -q -- "$1" "$2"; }

cleanup() {
  local rc=$?
  if [ -n "$DAEMON_PID" ]; then kill -KILL "$DAEMON_PID" 2>/dev/null || true; fi
  local p
  for p in $(live_test_procs); do kill -KILL "$p" 2>/dev/null || true; done
  if [ "$rc" -eq 0 ] || [ -z "${RG_KEEP:-}" ]; then
    umount "$T/disk" 2>/dev/null || true
    rm -rf "$T"
  else
    echo "kept $T"
  fi
}
trap cleanup EXIT

# jhas FILTER FILE: some line of a JSON Lines FILE gives a truthy FILTER result. (jq 1.6's -e
# judges only the last line's result, hence [inputs | ...] | any.)
jhas() { jq -n -e "[inputs | ($1)] | any" "$2" >/dev/null; }
proc_state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# The fake recorders' spawn log (--spawn-log "$SPAWNS"): "<pid> <segment> <start ns>" per start.
# Tests follow recorders through it rather than through status, which on a loaded machine may
# first be read after a quick misbehaviour has already replaced the first recorder.
SPAWNS="$T/spawns"
spawn_count() { if [ -f "$SPAWNS" ]; then wc -l <"$SPAWNS"; else echo 0; fi; }
spawn_field() { sed -n "${1}p" "$SPAWNS" | awk -v f="$2" '{print $f}'; } # line, field (1 pid, 2 segment)
# wait_recorder N: the Nth recorder (N=2: the first replacement) has started and is RECORDING.
wait_recorder() {
  wait_for 30 "recorder #$1 started" '[ "$(spawn_count)" -ge '"$1"' ]'
  wait_for 30 "recorder #$1 RECORDING" '[ "$(recorder_pid)" = "$(spawn_field '"$1"' 1)" ] && state_is RECORDING'
}
