#!/usr/bin/env bash
# alert.command fires on health warnings too (here: disk free below disk.warning_free), and a
# warning that keeps coming back (each new segment logs its verdict afresh) is sent once per
# de-dup window, not once per occurrence (guard_alertlim). `warnings` can be left out of
# alert.events to keep the command for failures only.
source "$(dirname "$0")/guard_lib.sh"
ALERTS="$T/alerts.jsonl"
health_alerts() { if [ -f "$ALERTS" ]; then grep -c '"event":"health"' "$ALERTS" || true; else echo 0; fi; }
health_lines() { jq -s '[.[] | select(.event=="health" and .verdict=="warning")] | length' "$OUT/journal.jsonl"; }

start_daemon --set disk.warning_free=1000TiB --set "alert.command=[tee, -a, $ALERTS]" \
  -- "$FAKE" --out '{segment}' --rate 2000 --spawn-log "$SPAWNS"
wait_recorder 1
wait_for 20 "a health warning alert" '[ "$(health_alerts)" -ge 1 ]'
jq -e 'select(.event=="health") | .verdict == "warning" and (.reasons | length >= 1)' "$ALERTS" >/dev/null ||
  fail "alert content: $(cat "$ALERTS")"
# Three more segments: three more warning lines in the journal, no more alerts.
for n in 2 3 4; do
  "$RECGUARD" split --socket "$SOCK" --timeout 30 >/dev/null || fail "split $n"
  wait_recorder "$n"
  wait_for 20 "warning line #$n journaled" '[ "$(health_lines)" -ge '"$n"' ]'
done
wait_for 10 "the held-back warnings logged" 'grep -q "alert for health held back (duplicate)" "$T/daemon.log"'
# Each kind of warning (verdict + trouble flags) went out once; on a loaded machine a recorder
# briefly in D state is a second, different kind, which may rightly alert too.
jq -s -e '[.[] | select(.event=="health") | [.verdict, ((.health.flags // []) - ["progress"] | sort)]] |
  length == (unique | length)' "$ALERTS" >/dev/null || fail "a warning was sent twice: $(jq -c '[.event, .health.flags]' "$ALERTS")"
[ "$(health_alerts)" -lt "$(health_lines)" ] || fail "$(health_alerts) alerts for $(health_lines) warnings: nothing held back"
stop_daemon

rm -rf "$OUT" "$ALERTS"
start_daemon --set disk.warning_free=1000TiB --set "alert.command=[tee, -a, $ALERTS]" --set "alert.events=[crashed]" \
  -- "$FAKE" --out '{segment}' --rate 2000 --spawn-log "$T/spawns2"
SPAWNS="$T/spawns2"
wait_recorder 1
wait_for 20 "the warning journaled" '[ "$(health_lines)" -ge 1 ]'
[ "$(health_alerts)" = 0 ] || fail "warning alerted although alert.events leaves warnings out"
stop_daemon
log "PASS"
