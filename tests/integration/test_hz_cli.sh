#!/usr/bin/env bash
# `recguard hz`, `bw` and `topics` with no daemon (they subscribe themselves, like ros2 topic hz)
# on real traffic: `recguard demo` (/imu 200 Hz, /chatter 10 Hz, /camera/image_raw 5 Hz) and
# `ddsperf pub` at 500 Hz. Rates are checked against the set rate with a generous tolerance
# (this is a correctness test on a shared 2-core machine; the precision is a benchmark:
# bench/bench_hz.sh). Also: ros2-style text output, "not published yet", Ctrl-C exits 0, usage
# errors exit 2, a publisher that never publishes is "never seen" and one that stops (SIGSTOP:
# still discovered) turns silent in `topics`.
. "$(dirname "$0")/rdds_lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }

# in_range VALUE LO HI: LO <= VALUE <= HI (floats)
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
# stop_ok PID WHAT: Ctrl-C (SIGINT) ends it with exit 0
stop_ok() {
  kill -INT "$1"
  wait_exit "$1" 30
  expect_eq "$2 exit after Ctrl-C" "$WAIT_RC" 0
}
# lines FILE: number of lines
lines() { wc -l < "$1" 2>/dev/null || echo 0; }
wait_lines() {
  local f=$1 n=$2 t=${3:-30} i
  for ((i = 0; i < t * 10; i++)); do
    [ "$(lines "$f")" -ge "$n" ] && return 0
    sleep 0.1
  done
  fail "timed out waiting for $n lines in $f"
}

# usage errors: exit 2, nothing subscribed
for args in "hz -w 0 /imu" "hz -w abc /imu" "hz -w 1 /imu" "hz" "bw" "topics /x" "hz --bogus /imu"; do
  rc=0; $RECGUARD $args > "$TMP/usage.out" 2> "$TMP/usage.err" || rc=$?
  expect_eq "recguard $args exit" "$rc" 2
  grep -q "usage: recguard" "$TMP/usage.err" || fail "no usage text for: $args"
done

$RECGUARD demo --duration 120 > "$TMP/demo.out" 2>&1 &
DEMO=$!; PIDS+=($DEMO)
wait_line "$TMP/demo.out" 'publishing /imu'

# hz --json: one object per report; the rate of /imu (200 Hz)
$RECGUARD hz /imu --json > "$TMP/hz.out" 2> "$TMP/hz.err" &
HZ=$!; PIDS+=($HZ)
wait_lines "$TMP/hz.out" 4
stop_ok $HZ "hz"
r=$(tail -n 1 "$TMP/hz.out" | jq -r .rate_hz)
in_range "$r" 150 250 || fail "/imu measured at $r Hz, published at 200 Hz"
[ "$(tail -n 1 "$TMP/hz.out" | jq -r .source)" = self ] || fail "hz source: $(tail -n 1 "$TMP/hz.out")"
w=$(tail -n 1 "$TMP/hz.out" | jq -r .window)
[ "$w" -ge 200 ] || fail "window $w after 4 reports at 200 Hz"

# hz text, two topics (one not published): ros2 topic hz's lines, the warning, a clean Ctrl-C
$RECGUARD hz /chatter nothere -w 20 > "$TMP/hz2.out" 2> "$TMP/hz2.err" &
HZ=$!; PIDS+=($HZ)
wait_line "$TMP/hz2.out" '^WARNING: topic \[nothere\] does not appear to be published yet$'
wait_line "$TMP/hz2.out" '^	min: [0-9]+\.[0-9]{3}s max: [0-9]+\.[0-9]{3}s std dev: [0-9]+\.[0-9]{5}s window: 20$'
stop_ok $HZ "hz (text)"
grep -q '^Subscribed to \[/chatter\]$' "$TMP/hz2.out" || fail "no 'Subscribed to' line"
grep -q '^topic: /chatter$' "$TMP/hz2.out" || fail "no topic header with two topics"
r=$(grep '^average rate: ' "$TMP/hz2.out" | tail -n 1 | awk '{print $3}')
in_range "$r" 7 13 || fail "/chatter measured at $r Hz, published at 10 Hz"

# bw --json: /camera/image_raw, 5 Hz of 640x480 rgb8 images
$RECGUARD bw /camera/image_raw --json > "$TMP/bw.out" 2> "$TMP/bw.err" &
BW=$!; PIDS+=($BW)
wait_lines "$TMP/bw.out" 3
stop_ok $BW "bw"
l=$(tail -n 1 "$TMP/bw.out")
size=$(jq -r .mean_size <<<"$l"); bps=$(jq -r .bandwidth_bps <<<"$l")
in_range "$size" 921600 930000 || fail "image mean size $size"
in_range "$bps" "$(awk -v s="$size" 'BEGIN{print s*2.5}')" "$(awk -v s="$size" 'BEGIN{print s*7.5}')" ||
  fail "bandwidth $bps B/s for 5 images/s of $size B"
[ "$(jq -r .min_size <<<"$l")" = "$(jq -r .max_size <<<"$l")" ] || fail "image sizes differ: $l"
$RECGUARD bw /camera/image_raw > "$TMP/bw2.out" 2>&1 &
BW=$!; PIDS+=($BW)
wait_line "$TMP/bw2.out" '^[0-9]+\.[0-9]{2} MB/s from [0-9]+ messages$'
wait_line "$TMP/bw2.out" '^	Message size mean: 92[0-9]\.[0-9]{2} KB min: 92[0-9]\.[0-9]{2} KB max: 92[0-9]\.[0-9]{2} KB$'
stop_ok $BW "bw (text)"

# a publisher that never publishes (it waits for 5 readers that never come): "never seen"
"$RG_HELPERS/helper_rdds_pub" --topic rt/quiet --count 1 --min-match 5 --match-timeout 100 > "$TMP/quiet.out" 2>&1 &
QUIET=$!; PIDS+=($QUIET)

# topics --json: one array, every demo topic with its figures
$RECGUARD topics --json > "$TMP/topics.out" 2> "$TMP/topics.err" || fail "topics failed"
j=$(tail -n 1 "$TMP/topics.out")
for t in /chatter /imu /camera/image_raw /seq; do
  [ "$(jq --arg t "$t" '[.[] | select(.name == $t)] | length' <<<"$j")" = 1 ] || fail "topics lacks $t: $j"
done
imu=$(jq -c '.[] | select(.name == "/imu")' <<<"$j")
for k in name type publishers rate_hz bandwidth_bps age_s status recorded drops lost; do
  [ "$(jq --arg k "$k" 'has($k)' <<<"$imu")" = true ] || fail "topics entry lacks $k: $imu"
done
expect_eq "/imu type" "$(jq -r .type <<<"$imu")" sensor_msgs/msg/Imu
expect_eq "/imu publishers" "$(jq -r .publishers <<<"$imu")" 1
expect_eq "/imu recorded" "$(jq -r .recorded <<<"$imu")" false
expect_eq "/imu status" "$(jq -r .status <<<"$imu")" active
expect_eq "/imu drops" "$(jq -r .drops <<<"$imu")" 0
in_range "$(jq -r .rate_hz <<<"$imu")" 150 250 || fail "topics /imu rate: $imu"
q=$(jq -c '.[] | select(.name == "/quiet")' <<<"$j")
[ -n "$q" ] || fail "topics lacks the quiet topic: $j"
expect_eq "/quiet status" "$(jq -r .status <<<"$q")" "never seen"
expect_eq "/quiet age_s" "$(jq -r .age_s <<<"$q")" null
expect_eq "/quiet publishers" "$(jq -r .publishers <<<"$q")" 1
kill -TERM $QUIET; wait_exit $QUIET 30
$RECGUARD topics > "$TMP/table.out" 2>&1 || fail "topics (table) failed"
grep -Eq '^NAME +TYPE +PUBS +RATE\(Hz\) +BANDWIDTH +LAST SEEN +STATUS +RECORDED +DROPS +LOST$' "$TMP/table.out" ||
  fail "table header: $(head -n 1 "$TMP/table.out")"
grep -Eq '^/chatter +std_msgs/msg/String +1 +[0-9.]+ +[0-9.]+ B/s +[0-9.]+s ago +active +no +0 +0$' "$TMP/table.out" ||
  fail "table row: $(grep chatter "$TMP/table.out")"

# A publisher that stops but stays discovered turns silent, then active again.
$RECGUARD topics --watch --json > "$TMP/watch.out" 2> "$TMP/watch.err" &
W=$!; PIDS+=($W)
chatter_status() { tail -n 1 "$TMP/watch.out" | jq -r '.[] | select(.name == "/chatter") | .status' 2>/dev/null; }
wait_for_status() {
  local want=$1 i
  for ((i = 0; i < 300; i++)); do
    [ "$(chatter_status)" = "$want" ] && return 0
    sleep 0.1
  done
  fail "/chatter never became $want (last: $(chatter_status))"
}
wait_for_status active
kill -STOP $DEMO
wait_for_status silent
kill -CONT $DEMO
wait_for_status active
stop_ok $W "topics --watch"

# ddsperf, an independent Cyclone application, at 500 Hz: a plain DDS topic by its DDS name
command -v ddsperf >/dev/null || { kill $DEMO; wait_exit $DEMO 30; pass "ddsperf missing: skipped that part"; exit 0; }
kill -TERM $DEMO; wait_exit $DEMO 30
$RECGUARD hz DDSPerfRDataKS --json > "$TMP/dp.out" 2> "$TMP/dp.err" &
HZ=$!; PIDS+=($HZ)
ddsperf -i "$ROS_DOMAIN_ID" -D 8 pub 500Hz size 100 > "$TMP/ddsperf.out" 2>&1 &
DP=$!; PIDS+=($DP)
wait_lines "$TMP/dp.out" 4
r=$(tail -n 1 "$TMP/dp.out" | jq -r .rate_hz)
in_range "$r" 350 650 || fail "ddsperf pub 500Hz measured at $r Hz"
stop_ok $HZ "hz (ddsperf)"
wait_exit $DP 60
pass
