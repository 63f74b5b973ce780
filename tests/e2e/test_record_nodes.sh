#!/usr/bin/env bash
# Node names from ros_discovery_info: `recguard record -a` records, in each channel's metadata
# key recguard_publisher_nodes, the ROS node that ros_discovery_info says owns the topic's
# writer. Two fake nodes announce themselves the way rmw does (one Jazzy-style: 16-byte GIDs,
# little endian, namespace /ns; one Humble-style: 24-byte GIDs, big endian, root namespace), a
# third publisher announces nothing and must get no key. ros_discovery_info itself is read but
# not recorded (not named on the command line).
#
# Channels are written at a topic's first sample, and the node list travels on another topic,
# so in segment 0 it may or may not have arrived first (as with real nodes). The test therefore
# checks segment 1: the nodes publish a first batch (after their announcement was acknowledged),
# the recording is split (SIGUSR1), then a second batch opens the channels of segment 1.
source "$(dirname "$0")/rec_lib.sh"
need_node
N=5
bag="$T/bag"
go="$T/go"
start_recorder "$T/rec.log" -a -o "$bag"
wait_for 20 test -s "$bag/recorder.stats" || fail "no stats file: $(cat "$T/rec.log")"
"$RG_HELPERS/helper_rdds_nodes_pub" --topic rt/cam_topic --ns /ns --node camera --gid 16 --count $N --go-file "$go" > "$T/p1.log" 2>&1 &
P1=$!; PIDS+=("$P1")
"$RG_HELPERS/helper_rdds_nodes_pub" --topic rt/talk --ns / --node talker --gid 24 --be --count $N --go-file "$go" > "$T/p2.log" 2>&1 &
P2=$!; PIDS+=("$P2")
"$RG_HELPERS/helper_rdds_pub" --topic rt/plain --count $N > "$T/p3.log" 2>&1 &
P3=$!; PIDS+=("$P3")
wait "$P3" || fail "plain publisher failed: $(cat "$T/p3.log")"
for t in /cam_topic /talk /plain; do
  wait_for 20 topic_ge "$bag/recorder.stats" $t messages $N ||
    fail "recorder received $(topic_field "$bag/recorder.stats" $t messages) of $N on $t: $(cat "$T"/p*.log)"
done
kill -USR1 "$REC_PID"
wait_for 20 stat_ge "$bag/recorder.stats" segments 2 || fail "no split"
touch "$go"
for p in $P1 $P2; do wait "$p" || fail "node publisher failed: $(cat "$T"/p*.log)"; done
for t in /cam_topic /talk; do
  wait_for 20 topic_ge "$bag/recorder.stats" $t messages $((2 * N)) ||
    fail "recorder received $(topic_field "$bag/recorder.stats" $t messages) of $((2 * N)) on $t"
done
stop_recorder
for i in 0 1; do
  f="$bag/$(basename "$bag")_$i.mcap"
  validate "$f" > "$T/v$i.json" || fail "validator rejected $f: $(head -c 3000 "$T/v$i.json")"
done
meta() { json "$T/v$1.json" "j.channels.find(c => c.topic === '$2')?.metadata?.recguard_publisher_nodes ?? 'ABSENT'"; }
[ "$(meta 1 /cam_topic)" = /ns/camera ] || fail "/cam_topic nodes: $(meta 1 /cam_topic)"
[ "$(meta 1 /talk)" = /talker ] || fail "/talk nodes: $(meta 1 /talk)"
[ "$(meta 0 /plain)" = ABSENT ] || fail "/plain nodes: $(meta 0 /plain)"
# Segment 0 may lack the key (see above) but never names a wrong node.
for t in /cam_topic:/ns/camera /talk:/talker; do
  v=$(meta 0 "${t%%:*}")
  [ "$v" = ABSENT ] || [ "$v" = "${t#*:}" ] || fail "segment 0 ${t%%:*} nodes: $v"
done
for i in 0 1; do
  [ "$(json "$T/v$i.json" "j.channels.some(c => c.topic === 'ros_discovery_info')")" = false ] || fail "ros_discovery_info was recorded"
done
# The rest of the channel metadata is untouched.
json "$T/v1.json" "j.channels.find(c => c.topic === '/talk').metadata.offered_qos_profiles" | grep -q "reliability: reliable" || fail "/talk QoS metadata"
echo ok
