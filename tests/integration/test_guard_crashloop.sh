#!/usr/bin/env bash
# A recorder that dies at once, every time, before writing anything: restarts within the
# budget (3 here), then ERROR with an alert, and no restart storm after. An operator start
# resets the budget. A recorder that dies as often but records each time is never given up.
source "$(dirname "$0")/guard_lib.sh"

start_daemon --set restart.budget_starts=3 --set restart.budget_window=60s \
  --set "alert.command=[tee, -a, '$T/alerts.jsonl']" --set "alert.events=[budget_spent]" \
  -- "$FAKE" --out '{segment}' --rate 0 --crash-after 0.1 --exit-code 3 --spawn-log "$T/spawns"
wait_for 30 "ERROR after the budget" state_is ERROR
spawns=$(wc -l <"$T/spawns")
[ "$spawns" = 4 ] || fail "expected 1 start + 3 restarts, saw $spawns spawns"
[ "$(jst .health.verdict)" = critical ] || fail "verdict in ERROR: $(jst .health.verdict)"
jst .error | grep -q "budget" || fail "error: $(jst .error)"
wait_for 10 "budget alert" test -s "$T/alerts.jsonl"
jhas 'select(.trigger=="budget_spent")' "$T/alerts.jsonl" || fail "alert: $(cat "$T/alerts.jsonl")"
# segments: one per attempt, indexes 0..3, none overwritten
bag=$(jst .bag_dir)
[ "$(ls "$bag"/*.mcap | wc -l)" = 4 ] || fail "segments: $(ls "$bag")"
# no storm: the count stays put (a negative check needs a window; 1 s is 5 backoff periods)
sleep 1
[ "$(wc -l <"$T/spawns")" = 4 ] || fail "restarts continued in ERROR"
[ "$(count_fake)" = 0 ] || fail "a recorder runs in ERROR"
base_fds=$(settled_fds)

# operator start after ERROR: the budget is reset, attempts resume
"$RECGUARD" start --socket "$SOCK" --no-wait >/dev/null || fail "start after ERROR refused"
wait_for 30 "ERROR again" '[ "$(wc -l <"$T/spawns")" -ge 8 ]'
wait_for 30 "ERROR again" state_is ERROR
leak_check "$base_fds" 0 # same state after 4 more spawns, hooks and alerts: nothing kept
stop_daemon
log "PASS (crash loop)"

# a recorder that records, then dies, again and again: every run recorded, so no restart is
# counted, none waits, and the daemon never gives up (issue 8: ERROR after the 6th kill)
rm -rf "$OUT"
start_daemon --set restart.budget_starts=2 --set restart.backoff_initial=5s --set restart.backoff_cap=5s \
  -- "$FAKE" --out '{segment}' --rate 50000 --crash-after 0.2 --exit-code 3 --spawn-log "$T/spawns3"
SPAWNS="$T/spawns3"
wait_for 60 "8 runs" '[ "$(spawn_count)" -ge 8 ]'
[ "$(jst .state)" != ERROR ] || fail "ERROR although every run recorded"
! jhas 'select(.event=="transition" and .state=="ERROR")' "$OUT/journal.jsonl" || fail "went to ERROR"
jhas 'select(.event=="transition" and .trigger=="budget_spent")' "$OUT/journal.jsonl" && fail "budget spent"
# immediate restarts: none waits for the 5 s backoff
! jhas 'select(.event=="restart_scheduled" and .delay_s > 0)' "$OUT/journal.jsonl" ||
  fail "a restart after a recording run waited"
stop_daemon
log "PASS (recording runs never counted)"

# a recorder that cannot even be started (no such program): the same budget, then ERROR saying why
rm -rf "$OUT"
start_daemon --set restart.budget_starts=2 -- /nonexistent/recorder --out '{segment}'
wait_for 30 "ERROR for a missing recorder program" state_is ERROR
jhas 'select(.event=="transition" and .trigger=="spawn_failed") | .reason | test("exec.*No such file")' \
  "$OUT/journal.jsonl" || fail "spawn failure reason not journaled"
[ "$(jst .health.verdict)" = critical ] || fail "verdict $(jst .health.verdict)"
stop_daemon
log "PASS (spawn failure)"
