#!/usr/bin/env bash
# A leaking recorder (+16 MiB/s) is restarted in a controlled way (graceful stop, new segment)
# when its RSS passes the critical level (64 MiB), well before the "OOM" cap at 160 MiB where the
# fake recorder would die on its own (exit 99). Warning level first.
source "$(dirname "$0")/guard_lib.sh"

start_daemon --set health.memory_warning=32MiB --set health.memory_critical=64MiB \
  -- "$FAKE" --out '{segment}' --rate 10000 --grow 16 --cap 160 --once "$T/leaked" --spawn-log "$SPAWNS"
wait_recorder 1
wait_recorder 2
bag=$(jst .bag_dir)
jhas 'select(.event=="transition" and .trigger=="unhealthy") | .reason | test("rss|mem"; "i")' "$bag/recguard.jsonl" || fail "journal lacks the memory reason"
# it was stopped by the daemon (graceful ladder), not by reaching the cap
jhas 'select(.event=="transition" and .from=="RECOVERING" and .trigger=="exited") | .exit.exit_code == 0' "$bag/recguard.jsonl" || fail "leaking recorder did not end cleanly"
! grep -q "memory cap" "$bag"/*_0.log || fail "the recorder reached its cap before the daemon acted"
jhas 'select(.event=="health" and .verdict=="warning")' "$bag/recguard.jsonl" ||
  fail "no warning health line"
stop_daemon
log "PASS"
