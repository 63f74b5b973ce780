#!/usr/bin/env bash
# The recorder's whole process tree is the unit (issue 8): a wrapper recorder (bash -c) with a
# child, a child that left the session (setsid) and one that escaped by a double fork. Stop,
# replace (split) and a kill -9 of the wrapper each end every process of the old run before
# the next run starts; memory and CPU are summed over the tree.
source "$(dirname "$0")/guard_lib.sh"

# shellcheck disable=SC2016 # $1 and $FAKE expand in the wrapper's shell
WRAP='"$FAKE" --out "$1" --rate 20000 --spawn-log "$SPAWNS" &
setsid "$FAKE" --out "$1.sess" --rate 2000 --spawn-log "$SPAWNS" &
( setsid "$FAKE" --out "$1.esc" --rate 2000 --spawn-log "$SPAWNS" & )
wait'
export FAKE SPAWNS
start_daemon -- bash -c "$WRAP" wrapper '{segment}'
wait_for 30 "3 processes of run 1" '[ "$(spawn_count)" -ge 3 ]'
wait_for 30 "RECORDING" state_is RECORDING
wait_for 10 "the tree counted" '[ "$(jst .health.processes)" -ge 4 ]' # bash + 3 fakes
[ "$(count_fake)" = 3 ] || fail "fakes running: $(count_fake)"
run1=$(awk '{print $1}' "$SPAWNS")
# the escapee is the daemon's child now (subreaper), not init's
esc=$(grep '\.esc ' "$SPAWNS" | awk '{print $1}')
[ "$(awk '{print $4}' "/proc/$esc/stat")" = "$DAEMON_PID" ] || fail "escapee $esc not adopted by the daemon"
# where the machine allows it (root, cgroup v2), the run has a cgroup of its own holding all
cg=$(jst .health.cgroup)
if [ "$cg" != null ]; then
  for p in $(awk '{print $1}' "$SPAWNS"); do
    grep -q "^0::.*/${cg##*/}\$" "/proc/$p/cgroup" || fail "process $p not in the run's cgroup $cg"
  done
  log "the tree is the cgroup $cg"
fi
alive_of() { local n=0 p; for p in $1; do [ -d "/proc/$p" ] && [ "$(proc_state "$p")" != Z ] && n=$((n + 1)); done; echo "$n"; }

# replace: a split ends every process of run 1 before run 2 starts
"$RECGUARD" split --socket "$SOCK" >/dev/null || fail "split refused"
wait_for 30 "3 processes of run 2" '[ "$(spawn_count)" -ge 6 ]'
[ "$(alive_of "$run1")" = 0 ] || fail "run 1 processes alive after the split: $(alive_of "$run1")"
jhas 'select(.event=="transition" and .trigger=="exited" and .state=="STARTING")' "$(jst .bag_dir)/recguard.jsonl" ||
  fail "the split did not end with the whole tree's exit"
wait_for 30 "RECORDING" state_is RECORDING
run2=$(sed -n 4,6p "$SPAWNS" | awk '{print $1}')
size1=$(stat -c %s "$(sed -n 1p "$SPAWNS" | awk '{print $2}')")

# crash: kill -9 of the wrapper; its children die with it before run 3 starts
wrapper=$(jst .pid)
kill -KILL "$wrapper"
wait_for 30 "3 processes of run 3" '[ "$(spawn_count)" -ge 9 ]'
[ "$(alive_of "$run2")" = 0 ] || fail "run 2 processes alive after the wrapper's kill: $(alive_of "$run2")"
jhas 'select(.event=="transition" and .trigger=="crashed")' "$(jst .bag_dir)/recguard.jsonl" || fail "no crash journaled"
wait_for 30 "RECORDING" state_is RECORDING
[ "$(count_fake)" = 3 ] || fail "fakes running after the crash: $(count_fake)"
[ "$(stat -c %s "$(sed -n 1p "$SPAWNS" | awk '{print $2}')")" = "$size1" ] || fail "run 1's segment grew"

# stop: every process ends, the daemon keeps no zombie
run3=$(sed -n 7,9p "$SPAWNS" | awk '{print $1}')
"$RECGUARD" stop --socket "$SOCK" >/dev/null || fail "stop refused"
wait_for 30 "IDLE" state_is IDLE
[ "$(alive_of "$run3")" = 0 ] || fail "run 3 processes alive after stop"
[ "$(count_fake)" = 0 ] || fail "fakes alive after stop: $(count_fake)"
wait_for 10 "no zombie kept" children_are 0
[ "$cg" = null ] || [ ! -d "$cg" ] || fail "the run's cgroup $cg was left behind"
stop_daemon
log "PASS"
