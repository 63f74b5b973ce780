#!/usr/bin/env bash
# A recorder crash (abort, SIGABRT) is seen at once, the post-crash hook runs on the crashed
# segment, an alert command gets the event as JSON on stdin, and the replacement records into a
# NEW segment: the crashed one is never touched again (byte-compared), nothing is deleted.
source "$(dirname "$0")/guard_lib.sh"

start_daemon \
  --set "post_crash_hook=[cp, '{segment}', '{segment}.hooked']" \
  --set "alert.command=[tee, -a, '$T/alerts.jsonl']" \
  --set "alert.events=[crashed, budget_spent]" \
  -- "$FAKE" --out '{segment}' --rate 50000 --crash-after 1.5 --once "$T/crashed" --spawn-log "$SPAWNS"
wait_recorder 1
seg0=$(spawn_field 1 2)
bag=$(dirname "$seg0")
wait_recorder 2
seg1=$(jst .segment)
[ "$seg1" != "$seg0" ] || fail "restart reused segment $seg0"
[[ "$seg1" == *_1.mcap ]] || fail "second segment is $seg1"
[ "$(jst .restarts)" = 1 ] || fail "restarts $(jst .restarts)"
jq -e '.last_exit.signal == "SIGABRT"' <<<"$(st)" >/dev/null || fail "last_exit $(jst .last_exit)"

# the crashed segment is final: snapshot it now, compare after more recording
cp "$seg0" "$T/seg0.copy"
size1=$(stat -c %s "$seg1")
wait_for 10 "the new segment grows" '[ "$(stat -c %s "$seg1")" -gt "$size1" ]'
cmp "$seg0" "$T/seg0.copy" || fail "crashed segment changed after the restart"
[ -s "$seg0" ] || fail "crashed segment is empty"

# the hook ran on the crashed segment; the alert got the crash as JSON
wait_for 10 "post-crash hook output" test -f "$seg0.hooked"
cmp "$seg0" "$seg0.hooked" || fail "hook copied something else"
wait_for 10 "alert line" test -s "$T/alerts.jsonl"
jhas 'select(.trigger == "crashed" and .state == "RECOVERING")' "$T/alerts.jsonl" ||
  fail "alert content: $(cat "$T/alerts.jsonl")"
jhas 'select(.event=="transition" and .trigger=="crashed") | .reason | test("SIGABRT")' "$bag/recguard.jsonl" || fail "journal lacks the crash with its reason"
jhas 'select(.event=="hook_done" and .ok)' "$bag/recguard.jsonl" || fail "no hook_done"

[ "$(spawn_count)" = 2 ] || fail "spawned $(spawn_count) recorders"
[ "$(count_fake)" = 1 ] || fail "$(count_fake) recorders running"
ls "$bag" >"$T/ls"
grep -q "_0.mcap$" "$T/ls" && grep -q "_1.mcap$" "$T/ls" || fail "bag: $(cat "$T/ls")"
# a split (graceful stop + spawn) leaves the daemon holding what it held before
base_fds=$(settled_fds)
"$RECGUARD" split --socket "$SOCK" --timeout 30 >/dev/null || fail "split"
leak_check "$base_fds" 1
stop_daemon
[ "$(live_test_procs)" = "" ] || fail "processes left"
log "PASS"
