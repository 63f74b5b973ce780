#!/usr/bin/env bash
# Node names from ros_discovery_info: `recguard record -a` records, in each channel's metadata
# key recguard_publisher_nodes, the ROS node that ros_discovery_info says owns the topic's
# writer. Two fake nodes announce themselves the way rmw does (one Jazzy-style: 16-byte GIDs,
# little endian, namespace /ns; one Humble-style: 24-byte GIDs, big endian, root namespace), a
# third publisher announces nothing and must get no key. ros_discovery_info itself is read but
# not recorded (not named on the command line).
source "$(dirname "$0")/rec_lib.sh"
need_node
N=5
bag="$T/bag"
start_recorder "$T/rec.log" -a -o "$bag"
wait_for 20 test -s "$bag/recorder.stats" || fail "no stats file: $(cat "$T/rec.log")"
"$RG_HELPERS/helper_rdds_nodes_pub" --topic rt/cam_topic --ns /ns --node camera --gid 16 --count $N > "$T/p1.log" 2>&1 &
P1=$!; PIDS+=("$P1")
"$RG_HELPERS/helper_rdds_nodes_pub" --topic rt/talk --ns / --node talker --gid 24 --be --count $N > "$T/p2.log" 2>&1 &
P2=$!; PIDS+=("$P2")
"$RG_HELPERS/helper_rdds_pub" --topic rt/plain --count $N > "$T/p3.log" 2>&1 &
P3=$!; PIDS+=("$P3")
for p in $P1 $P2 $P3; do wait "$p" || fail "publisher $p failed: $(cat "$T"/p*.log)"; done
for t in /cam_topic /talk /plain; do
  wait_for 20 topic_ge "$bag/recorder.stats" $t messages $N ||
    fail "recorder received $(topic_field "$bag/recorder.stats" $t messages) of $N on $t"
done
stop_recorder
f="$bag/$(basename "$bag")_0.mcap"
validate "$f" > "$T/v.json" || fail "validator rejected $f: $(head -c 3000 "$T/v.json")"
V="$T/v.json"
meta() { json "$V" "j.channels.find(c => c.topic === '$1')?.metadata?.recguard_publisher_nodes ?? 'ABSENT'"; }
[ "$(meta /cam_topic)" = /ns/camera ] || fail "/cam_topic nodes: $(meta /cam_topic)"
[ "$(meta /talk)" = /talker ] || fail "/talk nodes: $(meta /talk)"
[ "$(meta /plain)" = ABSENT ] || fail "/plain nodes: $(meta /plain)"
[ "$(json "$V" "j.channels.some(c => c.topic === 'ros_discovery_info')")" = false ] || fail "ros_discovery_info was recorded"
# The rest of the channel metadata is untouched.
json "$V" "j.channels.find(c => c.topic === '/talk').metadata.offered_qos_profiles" | grep -q "reliability: reliable" || fail "/talk QoS metadata"
echo ok
