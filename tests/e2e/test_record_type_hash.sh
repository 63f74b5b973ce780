#!/usr/bin/env bash
# Type description hashes: a ROS 2 publisher (Iron on) announces its type's RIHS01 hash in its
# writer's USER_DATA ("typehash=RIHS01_<64 hex>;"). `recguard record -a` must write it where
# rosbag2 (Jazzy) does: metadata.yaml topic_metadata.type_description_hash, and the MCAP
# channel's `topic_type_hash` metadata (read back by @mcap/core), also inside the `rosbag2`
# metadata record. A publisher announcing none records "", as does a malformed one (with a
# warning naming the topic, and no crash). Publishers that disagree: the first hash stays and
# the warning names both. A hash that comes with a later publisher (the first announced none)
# reaches metadata.yaml and the channels opened after it (the next segment: a channel written
# once cannot change).
source "$(dirname "$0")/rec_lib.sh"
need_node
N=5
H1=RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18
H2=RIHS01_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
bag="$T/bag"
start_recorder "$T/rec.log" -a -o "$bag"
wait_for 20 test -s "$bag/recorder.stats" || fail "no stats file: $(cat "$T/rec.log")"
pub() { # pub LOG TOPIC [helper options]: a std_msgs/String publisher in the background
  local log=$1 topic=$2; shift 2
  "$RG_HELPERS/helper_rdds_pub" --topic "rt/$topic" --count $N "$@" > "$T/$log.log" 2>&1 &
  PIDS+=("$!")
}
pub hashed hashed --user-data "enclave=/;typehash=$H1;"
pub plain plain
pub bad bad --user-data "typehash=${H1%?};"
pub first conflict --user-data "typehash=$H1;"
pub late0 late
wait_for 30 topic_ge "$bag/recorder.stats" /conflict messages $N ||
  fail "first /conflict publisher not recorded: $(cat "$T/first.log")"
wait_for 30 topic_ge "$bag/recorder.stats" /late messages $N ||
  fail "first /late publisher not recorded: $(cat "$T/late0.log")"
kill -USR1 "$REC_PID"
wait_for 20 stat_ge "$bag/recorder.stats" segments 2 || fail "no split"
# The second publishers come once the first ones are known (and segment 0 has /late's channel).
pub second conflict --user-data "typehash=$H2;"
pub late1 late --user-data "typehash=$H1;"
for t in /hashed /plain /bad; do
  wait_for 30 topic_ge "$bag/recorder.stats" $t messages $N ||
    fail "recorder received $(topic_field "$bag/recorder.stats" $t messages) of $N on $t: $(cat "$T"/*.log)"
done
wait_for 30 topic_ge "$bag/recorder.stats" /conflict messages $((2 * N)) ||
  fail "second /conflict publisher not recorded: $(cat "$T/second.log")"
wait_for 30 topic_ge "$bag/recorder.stats" /late messages $((2 * N)) ||
  fail "second /late publisher not recorded: $(cat "$T/late1.log")"
stop_recorder

# metadata.yaml: the hash of each topic's topic_metadata block.
meta_hash() {
  awk -v t="$1" '$1 == "-" && $2 == "topic_metadata:" { n = "" } $1 == "name:" { n = $2 }
    $1 == "type_description_hash:" && n == t { print $2; f = 1 } END { exit !f }' "$bag/metadata.yaml"
}
[ "$(meta_hash /hashed)" = "$H1" ] || fail "metadata.yaml /hashed: $(meta_hash /hashed)"
[ "$(meta_hash /plain)" = '""' ] || fail "metadata.yaml /plain: $(meta_hash /plain)"
[ "$(meta_hash /bad)" = '""' ] || fail "metadata.yaml /bad: $(meta_hash /bad)"
[ "$(meta_hash /conflict)" = "$H1" ] || fail "metadata.yaml /conflict: $(meta_hash /conflict)"
[ "$(meta_hash /late)" = "$H1" ] || fail "metadata.yaml /late: $(meta_hash /late)"

# The MCAP channels, read by @mcap/core.
for i in 0 1; do
  f="$bag/$(basename "$bag")_$i.mcap"
  validate "$f" > "$T/v$i.json" || fail "validator rejected $f: $(head -c 3000 "$T/v$i.json")"
done
chan() { json "$T/v$1.json" "j.channels.find(c => c.topic === '$2')?.metadata?.topic_type_hash ?? 'ABSENT'"; }
[ "$(chan 0 /hashed)" = "$H1" ] || fail "channel /hashed: $(chan 0 /hashed)"
[ "$(chan 0 /plain)" = "" ] || fail "channel /plain: $(chan 0 /plain)"
[ "$(chan 0 /bad)" = "" ] || fail "channel /bad: $(chan 0 /bad)"
[ "$(chan 0 /conflict)" = "$H1" ] || fail "channel /conflict: $(chan 0 /conflict)"
[ "$(chan 1 /conflict)" = "$H1" ] || fail "segment 1 channel /conflict: $(chan 1 /conflict)"
[ "$(chan 0 /late)" = "" ] || fail "segment 0 channel /late: $(chan 0 /late)"
[ "$(chan 1 /late)" = "$H1" ] || fail "segment 1 channel /late: $(chan 1 /late)"
json "$T/v1.json" 'j.metadata.find(m => m.name === "rosbag2").metadata.serialized_metadata' > "$T/rosbag2.yaml"
grep -q "type_description_hash: $H1" "$T/rosbag2.yaml" || fail "rosbag2 record lacks the hash: $(cat "$T/rosbag2.yaml")"

# The warnings name the topic, what is wrong, and both hashes of a disagreement.
grep -q "topic(/bad): a publisher announces a malformed type hash (wrong length); ignored" "$T/rec.log" ||
  fail "no malformed-hash warning: $(cat "$T/rec.log")"
grep -q "topic(/conflict): publishers announce different type hashes: $H1 (kept) and $H2" "$T/rec.log" ||
  fail "no conflict warning: $(cat "$T/rec.log")"
other=$(grep "type hash" "$T/rec.log" | grep -v -e "topic(/bad)" -e "topic(/conflict)" || true)
[ -z "$other" ] || fail "unexpected hash warnings: $other"
echo ok
