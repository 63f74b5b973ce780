#!/usr/bin/env bash
# `recguard record`'s command line: bad options and values are refused with exit 2 and a message
# naming the option and the value; a bad ROS_DOMAIN_ID likewise; -o never mixes two recordings
# (existing non-empty directory: exit 1); SIGTERM stops cleanly (exit 0, metadata.yaml and a
# valid stats file in state "stopped"); the stats heartbeat advances while nothing is published.
set -euo pipefail
: "${RECGUARD:?}" "${RG_HELPERS:?}" "${RG_SOURCE_DIR:?}"
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))

expect_usage() { # expect_usage "needle" args...
  local needle=$1; shift
  local rc=0
  "$RECGUARD" record "$@" > "$T/out" 2> "$T/err" || rc=$?
  [ "$rc" = 2 ] || fail "record $* exited $rc, expected 2"
  grep -qF -- "$needle" "$T/err" || fail "record $*: message lacks '$needle': $(cat "$T/err")"
}
expect_usage "no topics selected" -o "$T/x"
expect_usage "--compression-format brotli" -a --compression-format brotli
expect_usage "--max-chunk-age 5000" -a --max-chunk-age 5000
expect_usage "--max-chunk-age 0" -a --max-chunk-age 0
expect_usage "--max-bag-size 12Q" -a --max-bag-size 12Q
expect_usage "--max-bag-duration -3" -a --max-bag-duration -3
expect_usage "--max-queue 100" -a --max-queue 100
expect_usage "--chunk-size" -a --chunk-size
expect_usage "unknown option --frobnicate" -a --frobnicate
expect_usage "--standby-window/--standby-memory need --standby" -a --standby-window 5
expect_usage "--standby and --snapshot-mode" -a --standby "$T/p" --snapshot-mode
expect_usage "--standby-window 0.01" -a --standby "$T/p" --standby-window 0.01
expect_usage "--standby-memory 1K" -a --standby "$T/p" --standby-memory 1K
# Options after topics are options too (as with ros2 bag record).
expect_usage "--max-chunk-age 5000" /chatter --max-chunk-age 5000
ROS_DOMAIN_ID=abc expect_usage "ROS_DOMAIN_ID=abc" -a
ROS_DOMAIN_ID=999 expect_usage "ROS_DOMAIN_ID=999" -a
[ ! -e "$T/x" ] || fail "a refused command line created the output directory"

# An existing non-empty bag directory is refused (exit 1), untouched.
mkdir "$T/full" && echo keep > "$T/full/file"
rc=0; "$RECGUARD" record -a -o "$T/full" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 1 ] || fail "non-empty -o exited $rc"
grep -q "already exists" "$T/err" || fail "non-empty -o message: $(cat "$T/err")"
[ "$(ls "$T/full")" = file ] || fail "non-empty -o directory was modified"

# A clean run: start line, heartbeat while idle, SIGTERM -> exit 0, files final.
"$RECGUARD" record -a -o "$T/bag" > "$T/log" 2>&1 &
PID=$!
for i in $(seq 1 200); do [ -s "$T/bag/recorder.stats" ] && break; sleep 0.05; done
"$RG_HELPERS/helper_rec_stats" "$T/bag/recorder.stats" > "$T/s1" || fail "stats unreadable"
h1=$(awk '$1 == "heartbeat_mono_ns" { print $2 }' "$T/s1")
for i in $(seq 1 100); do
  h2=$("$RG_HELPERS/helper_rec_stats" "$T/bag/recorder.stats" | awk '$1 == "heartbeat_mono_ns" { print $2 }')
  [ "$h2" -gt "$h1" ] && break
  sleep 0.05
done
[ "$h2" -gt "$h1" ] || fail "heartbeat does not advance while idle"
grep -q "^state recording$" "$T/s1" || fail "state not recording: $(cat "$T/s1")"
grep -q "^pid $PID$" "$T/s1" || fail "stats pid"
kill -TERM $PID
rc=0; wait $PID || rc=$?
PID=
[ "$rc" = 0 ] || fail "SIGTERM exit $rc: $(cat "$T/log")"
grep -q "recording domain $ROS_DOMAIN_ID" "$T/log" || fail "start line: $(cat "$T/log")"
grep -q "stopped: 0 messages" "$T/log" || fail "summary: $(cat "$T/log")"
"$RG_HELPERS/helper_rec_stats" "$T/bag/recorder.stats" | grep -q "^state stopped$" || fail "final state"
grep -q "^    - bag_0.mcap$" "$T/bag/metadata.yaml" || fail "metadata.yaml"
"$RECGUARD" info "$T/bag/bag_0.mcap" > /dev/null || fail "empty recording is not a valid file"
echo "ok"
