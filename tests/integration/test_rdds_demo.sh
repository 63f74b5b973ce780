#!/usr/bin/env bash
# rdds records `recguard demo --count` exactly: every reliable message arrives once, with the
# ROS names/types mapped, keyless, and the CDR bytes as the compiled-type writer produced them.
. "$(dirname "$0")/rdds_lib.sh"
N=25
"$RG_HELPERS/helper_rdds_sub" -a --timeout 90 \
  --expect /chatter=$N --expect /camera/image_raw=$N --expect /seq=$N --linger 0.5 > "$TMP/sub.out" 2> "$TMP/sub.err" &
SUB=$!; PIDS+=($SUB)
wait_line "$TMP/sub.out" '^ready$'
"$RECGUARD" demo --count $N --rate-scale 4 > "$TMP/demo.out" 2> "$TMP/demo.err" || fail "demo exited $?: $(cat "$TMP/demo.err")"
grep -q "^sent: /chatter=$N /imu=$N /camera/image_raw=$N /seq=$N$" "$TMP/demo.out" || fail "demo summary: $(cat "$TMP/demo.out")"
wait_exit $SUB 60
expect_eq "helper exit" "$WAIT_RC" 0

for t in "/chatter std_msgs/msg/String rt/chatter std_msgs::msg::dds_::String_" \
         "/imu sensor_msgs/msg/Imu rt/imu sensor_msgs::msg::dds_::Imu_" \
         "/camera/image_raw sensor_msgs/msg/Image rt/camera/image_raw sensor_msgs::msg::dds_::Image_" \
         "/seq recguard_msgs/msg/Sequence rt/seq recguard_msgs::msg::dds_::Sequence_"; do
  set -- $t
  grep -Eq "^topic [0-9]+ $1 $2 dds=$3 ddstype=$4 keyed=0 ros=1 pubs=1 " "$TMP/sub.out" || fail "no topic line for $1: $(cat "$TMP/sub.out")"
done
# Reliable topics: exactly N, no duplicates. Best-effort /imu: at most N (loss is allowed).
expect_eq "/chatter count" "$(jget "$TMP/sub.out" 't("/chatter").count')" $N
expect_eq "/camera/image_raw count" "$(jget "$TMP/sub.out" 't("/camera/image_raw").count')" $N
expect_eq "/seq count" "$(jget "$TMP/sub.out" 't("/seq").count')" $N
imu=$(jget "$TMP/sub.out" 't("/imu").count')
[ "$imu" -ge 1 ] && [ "$imu" -le $N ] || fail "/imu count $imu not in 1..$N"
# First /chatter sample: XCDR1 little-endian header, string length 8, "hello 1\0".
expect_eq "/chatter first bytes" "$(jget "$TMP/sub.out" 't("/chatter").first_hex')" "000100000800000068656c6c6f203100"
# /seq: header, uint64 seq = 1 (the first message), then the stamp.
expect_eq "/seq first seq" "$(jget "$TMP/sub.out" 't("/seq").first_hex.slice(0,24)')" "000100000100000000000000"
# An image sample is the 921600-byte frame plus header fields: over 900 KiB each.
bytes=$(jget "$TMP/sub.out" 't("/camera/image_raw").bytes')
[ "$bytes" -gt $(( N * 921600 )) ] || fail "image bytes $bytes too small"

# Without --count the demo runs until a signal, then stops cleanly (exit 0, a summary line).
"$RECGUARD" demo --rate-scale 0.5 > "$TMP/run.out" 2>&1 &
DEMO=$!; PIDS+=($DEMO)
wait_line "$TMP/run.out" '^publishing /seq '
kill -INT $DEMO
wait_exit $DEMO 30
expect_eq "demo exit after SIGINT" "$WAIT_RC" 0
grep -q '^sent: /chatter=[0-9]* ' "$TMP/run.out" || fail "no summary after SIGINT: $(cat "$TMP/run.out")"
rc=0; "$RECGUARD" demo --count 0 > /dev/null 2>&1 || rc=$?
expect_eq "--count 0 is a usage error" "$rc" 2
rc=0; "$RECGUARD" demo --bogus > /dev/null 2>&1 || rc=$?
expect_eq "unknown option is a usage error" "$rc" 2
pass
