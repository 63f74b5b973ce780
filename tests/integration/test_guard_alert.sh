#!/usr/bin/env bash
# Alerts never hold the daemon up: an alert command that hangs is killed after its timeout
# (10 s) while recording goes on (the crash's restart is not delayed by it), and an alert
# command that does not exist is reported, not fatal.
source "$(dirname "$0")/guard_lib.sh"

start_daemon --set "alert.command=[sleep, '300']" --set "alert.events=[crashed]" \
  -- "$FAKE" --out '{segment}' --rate 20000 --crash-after 1 --once "$T/crashed" --spawn-log "$SPAWNS"
wait_recorder 1
wait_recorder 2 # while the alert command hangs
[ "$(daemon_children)" = 2 ] || fail "expected recorder + alert command, daemon has $(daemon_children) children"
wait_for 30 "the hung alert command killed" jhas "'select(.event==\"aux_timeout\")'" "$OUT/journal.jsonl"
wait_for 10 "the alert command reaped" jhas "'select(.event==\"alert_done\" and (.ok|not))'" "$OUT/journal.jsonl"
wait_for 5 "only the recorder left" children_are 1
stop_daemon

rm -rf "$OUT"
start_daemon --set "alert.command=[/nonexistent/alert-tool]" --set "alert.events=[crashed]" \
  -- "$FAKE" --out '{segment}' --rate 20000 --crash-after 1 --once "$T/crashed2" --spawn-log "$T/spawns2"
SPAWNS="$T/spawns2"
wait_recorder 1
wait_recorder 2
wait_for 10 "the failed alert journaled" jhas "'select(.event==\"alert_failed\") | .reason | test(\"nonexistent/alert-tool.*No such file\")'" "$OUT/journal.jsonl"
stop_daemon
log "PASS"
