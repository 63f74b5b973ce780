#!/usr/bin/env bash
# Alive but stuck: a recorder that SIGSTOPs itself (hang) and one that stops writing (stall)
# are detected and replaced by a new recorder in a new segment.
source "$(dirname "$0")/guard_lib.sh"

# hang: state T for longer than health.hang_timeout (1 s)
start_daemon -- "$FAKE" --out '{segment}' --rate 20000 --hang-after 1 --once "$T/hung" --spawn-log "$SPAWNS"
wait_recorder 1
pid0=$(spawn_field 1 1)
wait_recorder 2
[ "$(jst .restarts)" = 1 ] || fail "restarts $(jst .restarts)"
[[ "$(jst .segment)" == *_1.mcap ]] || fail "segment $(jst .segment)"
bag=$(jst .bag_dir)
jhas 'select(.event=="transition" and .trigger=="unhealthy") | .reason | test("stopped|hang|state T"; "i")' "$bag/recguard.jsonl" || fail "journal lacks the hang: $(grep unhealthy "$bag/recguard.jsonl")"
# SIGCONT came with SIGINT: the hung recorder could flush and exit cleanly
jhas 'select(.event=="transition" and .trigger=="exited" and .from=="RECOVERING")' "$bag/recguard.jsonl" || fail "the hung recorder did not end cleanly"
! kill -0 "$pid0" 2>/dev/null || fail "hung recorder still alive"
[ "$(count_fake)" = 1 ] || fail "$(count_fake) recorders"
stop_daemon

# stall: alive, running, writing nothing for longer than health.stall_timeout (3 s)
rm -rf "$OUT"
SPAWNS="$T/spawns2"
start_daemon -- "$FAKE" --out '{segment}' --rate 20000 --stall-after 1 --once "$T/stalled" --spawn-log "$SPAWNS"
wait_recorder 1
wait_recorder 2
bag=$(jst .bag_dir)
jhas 'select(.event=="transition" and .trigger=="unhealthy") | .reason | test("progress|stall|output"; "i")' "$bag/recguard.jsonl" || fail "journal lacks the stall: $(grep unhealthy "$bag/recguard.jsonl")"
[ "$(count_fake)" = 1 ] || fail "$(count_fake) recorders"
stop_daemon
log "PASS"
