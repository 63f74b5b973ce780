#!/usr/bin/env bash
# A recorder that ends uncleanly before writing a byte (a hot standby killed as it was promoted,
# a recorder killed at its start) leaves an empty segment file: no data, and no MCAP file for a
# bag reader. The daemon removes it (journal `segment_removed`) instead of running the
# post-crash hook on it; a segment with data is never removed.
source "$(dirname "$0")/guard_lib.sh"

start_daemon \
  --set "post_crash_hook=[cp, '{segment}', '{segment}.hooked']" \
  -- "$FAKE" --out '{segment}' --rate 0 --crash-after 0.3 --once "$T/crashed" --spawn-log "$SPAWNS"
wait_for 30 "a second recorder" '[ "$(spawn_count)" -ge 2 ]'
seg0=$(spawn_field 1 2)
bag=$(dirname "$seg0")
wait_for 10 "segment_removed" jhas "\"select(.event==\\\"segment_removed\\\" and .segment==\\\"$seg0\\\")\"" "$bag/recguard.jsonl"
[ ! -e "$seg0" ] || fail "the empty segment $seg0 is still there"
[ ! -e "$seg0.hooked" ] || fail "the post-crash hook ran on an empty segment"
"$RECGUARD" stop --socket "$SOCK" --timeout 30 >/dev/null || fail "stop"
seg1=$(spawn_field 2 2)
[ -e "$seg1" ] || fail "a cleanly stopped run's segment was removed (only an unclean end's empty file goes)"
stop_daemon
log "PASS"
