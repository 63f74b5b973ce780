#!/usr/bin/env bash
# Rates with a daemon recording through the built-in recorder:
#   - `hz`/`topics` read a recorded topic from the recorder's own figures: the publisher's
#     matched-reader count stays at 1 (the recorder) while hz, topics and `recguard monitor`
#     run (total_count: no other reader ever matched, not even briefly);
#   - a topic the recorder does not record (hidden) is measured by `recguard monitor`, which the
#     daemon runs (monitor.enabled) at the lowest priority and stops with itself; it shows in
#     `topics` as not recorded;
#   - expect: rules: a publisher that stops (SIGSTOP) raises "/watched silent for X s" (status
#     health.reasons, an alert line in the journal) and clears when it resumes; a rate rule
#     reads "/seq N Hz, expected >= 1000 Hz";
#   - loss counters in `status` and in the bag's metadata.yaml custom_data.
source "$(dirname "$0")/guard_lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="hzd-$$-$RANDOM"
EXTRA=()
trap 'rc_=$?; for p in "${EXTRA[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; (exit $rc_); cleanup' EXIT
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
reasons() { jst '.health.reasons | join("|")'; }

cat > "$T/recguard.yaml" <<'EOF'
monitor: {enabled: true}
expect:
  - topic: /watched
    max_silence: 1500ms
  - topic: /seq
    min_rate: 1000
EOF
start_daemon --config "$T/recguard.yaml"
wait_for 30 "RECORDING" state_is RECORDING

"$RECGUARD" demo --duration 300 > "$T/demo.out" 2>&1 &
EXTRA+=($!); DEMO=$!
"$RG_HELPERS/helper_rdds_pub" --topic rt/watched --rate 20 --duration 300 --report-matched > "$T/pub.out" 2>&1 &
EXTRA+=($!); PUB=$!
"$RG_HELPERS/helper_rdds_pub" --topic rt/_hidden --rate 50 --duration 300 > "$T/hidden.out" 2>&1 &
EXTRA+=($!)
wait_for 30 "the recorder matched /watched" 'grep -q "^matched current=1 total=1$" "$T/pub.out"'
wait_for 30 "data in the recorder" '[ "$(jst ".data.messages_received // 0")" -gt 0 ]'

wait_for 30 "the monitor's pid" '[ "$(jst ".monitor.pid // 0")" -gt 0 ]'
MON=$(jst .monitor.pid)
wait_for 30 "the monitor's stats" test -s "$OUT/monitor.stats"
# The monitor runs at the lowest priority: nice 19, SCHED_IDLE (policy 5 in /proc/PID/sched).
[ "$(awk '{print $19}' "/proc/$MON/stat")" = 19 ] || fail "monitor nice $(awk '{print $19}' "/proc/$MON/stat")"
grep -Eq '^policy +: +5$' "/proc/$MON/sched" || fail "monitor not SCHED_IDLE: $(grep policy "/proc/$MON/sched")"

# hz of a recorded topic: the recorder's figures, no subscription of ours
"$RECGUARD" hz /watched --json --socket "$SOCK" > "$T/hz.out" 2>&1 &
EXTRA+=($!); HZ=$!
wait_for 30 "hz reports" '[ "$(wc -l < "$T/hz.out")" -ge 3 ]'
kill -INT $HZ; wait $HZ || fail "hz exit after Ctrl-C: $?"
l=$(tail -n 1 "$T/hz.out")
[ "$(jq -r .source <<<"$l")" = recorder ] || fail "hz of a recorded topic not from the recorder: $l"
in_range "$(jq -r .rate_hz <<<"$l")" 14 26 || fail "/watched at 20 Hz measured: $l"

# hz of the hidden topic: the monitor's figures
"$RECGUARD" hz /_hidden --json --socket "$SOCK" > "$T/hz2.out" 2>&1 &
EXTRA+=($!); HZ=$!
wait_for 30 "hz reports (hidden)" '[ "$(wc -l < "$T/hz2.out")" -ge 2 ]'
kill -INT $HZ; wait $HZ || fail "hz exit after Ctrl-C: $?"
[ "$(tail -n 1 "$T/hz2.out" | jq -r .source)" = monitor ] || fail "hidden topic not from the monitor: $(tail -n 1 "$T/hz2.out")"

"$RECGUARD" topics --json --socket "$SOCK" > "$T/topics.out" 2>&1 || fail "topics: $(cat "$T/topics.out")"
j=$(tail -n 1 "$T/topics.out")
w=$(jq -c '.[] | select(.name == "/watched")' <<<"$j")
[ "$(jq -r .recorded <<<"$w")" = true ] || fail "/watched not recorded in topics: $w"
[ "$(jq -r .publishers <<<"$w")" = 1 ] || fail "/watched publishers: $w"
h=$(jq -c '.[] | select(.name == "/_hidden")' <<<"$j")
[ "$(jq -r .recorded <<<"$h")" = false ] || fail "/_hidden shows as recorded: $h"
in_range "$(jq -r .rate_hz <<<"$h")" 35 65 || fail "/_hidden at 50 Hz measured: $h"
[ "$(jq '[.[] | select(.name == "/imu")] | length' <<<"$j")" = 1 ] || fail "topics lacks /imu"

# Still only the recorder ever matched /watched: hz, topics and the monitor held no reader.
grep -q "^matched current=1 total=1$" "$T/pub.out" || fail "no single match"
! grep -Eq "^matched current=[0-9]+ total=([02-9]|[0-9]{2,})$" "$T/pub.out" ||
  fail "another reader matched the recorded topic: $(cat "$T/pub.out")"

# expect: a rate rule, worded with the figures
wait_for 30 "the /seq rate rule" 'reasons | grep -Eq "(^|\|)/seq [0-9]+\.[0-9] Hz, expected >= 1000 Hz($|\|)"'
[ "$(jst .health.verdict)" = warning ] || fail "verdict $(jst .health.verdict) with a breach"
# a publisher that stops: silent, alerted, journaled; then it clears
kill -STOP $PUB
wait_for 30 "/watched silent" 'reasons | grep -Eq "(^|\|)/watched silent for [0-9]+\.[0-9] s($|\|)"'
wait_for 10 "the alert line" jhas "'select(.event==\"expect\" and .alert==true and (.reason|test(\"^/watched silent\")))'" "$OUT/journal.jsonl"
"$RECGUARD" status --socket "$SOCK" > "$T/status.txt" || fail "status"
grep -q "/watched silent for" "$T/status.txt" || fail "status text lacks the reason: $(cat "$T/status.txt")"
grep -Eq "^data: +[0-9]+ topics, [0-9]+ messages received" "$T/status.txt" || fail "status lacks data line"
kill -CONT $PUB
wait_for 30 "/watched back" '! reasons | grep -q "/watched"'
wait_for 10 "the cleared line" jhas "'select(.event==\"expect_cleared\" and (.reason|test(\"/watched\")))'" "$OUT/journal.jsonl"
state_is RECORDING || fail "expect breaches must not restart the recorder: $(jst .state)"

# The daemon restarts a monitor that dies.
kill -KILL "$MON"
wait_for 30 "a new monitor" '[ "$(jst ".monitor.pid // 0")" -gt 0 ] && [ "$(jst .monitor.pid)" != "$MON" ]'
MON=$(jst .monitor.pid)
jhas 'select(.event=="monitor" and (.reason|test("killed by SIGKILL")))' "$OUT/journal.jsonl" || fail "no journal line for the monitor's end"
bag=$(jst .bag_dir)
"$RECGUARD" stop --socket "$SOCK" --timeout 40 || fail "stop"
for k in recguard_lost recguard_rejected recguard_drops recguard_loss; do
  grep -q "^    $k: " "$bag/metadata.yaml" || fail "metadata.yaml lacks custom_data $k"
done
stop_daemon
! kill -0 "$MON" 2>/dev/null || fail "the monitor outlived the daemon"
log "PASS"
