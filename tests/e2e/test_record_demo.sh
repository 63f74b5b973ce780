#!/usr/bin/env bash
# `recguard demo --count N` recorded by `recguard record -a`, once per compression (none, lz4,
# zstd), checked with the independent readers: @mcap/core (indexed, CRCs) and rosmsg2 decoding
# with the schemas the recorder built from msgs/*.msg. Reliable topics hold exactly N messages
# whose decoded values are the demo's 1..N ("hello N", Sequence.seq, Image data[0]), in order;
# best-effort /imu holds at most N, each decodable. Also metadata.yaml (version 9, counts),
# channel QoS metadata, publish time = source timestamp (the demo's header stamp for /imu).
source "$(dirname "$0")/rec_lib.sh"
need_node
N=40
for comp in none lz4 zstd; do
  bag="$T/bag_$comp"
  start_recorder "$T/rec_$comp.log" -a -o "$bag" --compression-format "$comp"
  wait_for 20 test -s "$bag/recorder.stats" || fail "$comp: no stats file"
  # --count waits until each demo writer has matched the recorder's reader, and at the end for
  # every reliable message to be acknowledged: the recorder has then received all of them.
  "$RECGUARD" demo --count $N --rate-scale 10 > "$T/demo_$comp.log" 2>&1 || fail "$comp: demo failed: $(cat "$T/demo_$comp.log")"
  # Acknowledged is not yet taken: a sample can sit in the DDS reader's cache for a moment
  # (rdds_session_close does not drain readers), so stop once the recorder has them all.
  for t in /chatter /seq /camera/image_raw; do
    wait_for 20 topic_ge "$bag/recorder.stats" $t messages $N ||
      fail "$comp: recorder received $(topic_field "$bag/recorder.stats" $t messages) of $N on $t"
  done
  stop_recorder
  f="$bag/$(basename "$bag")_0.mcap"
  validate "$f" > "$T/v_$comp.json" || fail "$comp: validator rejected $f: $(head -c 3000 "$T/v_$comp.json")"
  V="$T/v_$comp.json"
  want_comp=$([ "$comp" = none ] && echo "" || echo "$comp")
  [ "$(json "$V" 'j.compression.join(",")')" = "$want_comp" ] || fail "$comp: chunk compression $(json "$V" j.compression)"
  [ "$(json "$V" j.decodeErrors)" = 0 ] || fail "$comp: decode errors"
  [ "$(json "$V" 'j.decoded === j.messageCount')" = true ] || fail "$comp: not every message decoded"
  for t in /chatter /camera/image_raw /seq; do
    [ "$(json "$V" "j.channels.find(c => c.topic === '$t').count")" = $N ] || fail "$comp: $t count $(json "$V" "j.channels.find(c => c.topic === '$t')?.count")"
    [ "$(json "$V" "j.channels.find(c => c.topic === '$t').schemaEncoding")" = ros2msg ] || fail "$comp: $t schema encoding"
    [ "$(json "$V" "j.channels.find(c => c.topic === '$t').messageEncoding")" = cdr ] || fail "$comp: $t message encoding"
    json "$V" "j.channels.find(c => c.topic === '$t').metadata.offered_qos_profiles" | grep -q "reliability: reliable" || fail "$comp: $t QoS metadata"
  done
  imu=$(json "$V" "j.channels.find(c => c.topic === '/imu').count")
  [ "$imu" -ge 1 ] && [ "$imu" -le $N ] || fail "$comp: /imu count $imu"
  json "$V" "j.channels.find(c => c.topic === '/imu').metadata.offered_qos_profiles" | grep -q "reliability: best_effort" || fail "$comp: /imu QoS metadata"
  [ "$(json "$V" "j.channels.find(c => c.topic === '/imu').schemaName")" = sensor_msgs/msg/Imu ] || fail "$comp: /imu schema"
  # Every value, not only first and last.
  for spec in "/chatter data" "/seq seq" "/camera/image_raw data"; do
    set -- $spec
    rec_seq --topic "$1" --ros-field "$2" "$f" > "$T/s.json" || fail "$comp: $1 unreadable"
    [ "$(json "$T/s.json" '[j.count, j.first, j.last, j.contiguous].join()')" = "$N,1,$N,true" ] ||
      fail "$comp: $1 values: $(cat "$T/s.json")"
  done
  [ "$(json "$V" 'j.samples["/chatter"].first.data')" = "hello 1" ] || fail "$comp: first /chatter"
  [ "$(json "$V" 'j.samples["/chatter"].last.data')" = "hello $N" ] || fail "$comp: last /chatter"
  # /imu's header stamp is the demo's publish instant: the recorded publish time (source
  # timestamp) and log time (receive) bracket it closely, in the right order.
  (cd "$RG_E2E_DIR" && node --input-type=module -e '
    import { McapIndexedReader } from "@mcap/core";
    import { loadDecompressHandlers } from "@mcap/support";
    import { parse } from "@foxglove/rosmsg";
    import { MessageReader } from "@foxglove/rosmsg2-serialization";
    import { readFileSync } from "node:fs";
    const b = readFileSync(process.argv[1]);
    const r = await McapIndexedReader.Initialize({ readable: { size: async () => BigInt(b.length), read: async (o, n) => b.subarray(Number(o), Number(o + n)) }, decompressHandlers: await loadDecompressHandlers() });
    let dec, n = 0;
    for await (const m of r.readMessages({ topics: ["/imu"] })) {
      dec ??= new MessageReader(parse(new TextDecoder().decode(r.schemasById.get(r.channelsById.get(m.channelId).schemaId).data), { ros2: true }));
      const s = dec.readMessage(m.data).header.stamp;
      const stamp = BigInt(s.sec) * 1000000000n + BigInt(s.nanosec);
      if (m.publishTime < stamp || m.publishTime - stamp > 1000000000n) throw new Error(`publish time ${m.publishTime} vs stamp ${stamp}`);
      if (m.logTime < m.publishTime) throw new Error(`log time ${m.logTime} before publish time ${m.publishTime}`);
      n++;
    }
    if (n === 0) throw new Error("no /imu");' "$f") || fail "$comp: timestamps"
  # metadata.yaml: rosbag2 version 9, this segment, per-topic counts.
  M="$bag/metadata.yaml"
  grep -q "^  version: 9$" "$M" || fail "$comp: metadata version"
  grep -q "^    - $(basename "$f")$" "$M" || fail "$comp: metadata file list"
  grep -q "^  message_count: $(json "$V" j.messageCount)$" "$M" || fail "$comp: metadata message_count"
  [ "$(awk '/name: \/seq$/ { f = 1 } f && /^      message_count:/ { print $2; exit }' "$M")" = $N ] || fail "$comp: metadata /seq count"
  grep -q 'compression_format: ""' "$M" || fail "$comp: compression_format must stay empty (chunk compression is inside the MCAP)"
  echo "ok: $comp"
done

# A late-joining topic: the recorder is already writing other traffic (ddsperf's, with
# --include-dds) when the demo's topics first appear; they are picked up and complete.
if command -v ddsperf >/dev/null; then
  bag="$T/late"
  start_recorder "$T/rec_late.log" -a --include-dds -o "$bag"
  wait_for 20 test -s "$bag/recorder.stats" || fail "late: no stats file"
  ddsperf -i "$ROS_DOMAIN_ID" -D 30 pub 200Hz size 100 > "$T/pub_late.log" 2>&1 &
  PIDS+=($!)
  wait_for 20 stat_ge "$bag/recorder.stats" messages_written 100 ||
    fail "late: ddsperf traffic not recorded"
  topic_known "$bag/recorder.stats" /seq && fail "late: /seq known before the demo started"
  "$RECGUARD" demo --count $N --rate-scale 10 > "$T/demo_late.log" 2>&1 || fail "late: demo failed"
  wait_for 20 topic_ge "$bag/recorder.stats" /seq messages $N ||
    fail "late: recorder received $(topic_field "$bag/recorder.stats" /seq messages) of $N on /seq"
  stop_recorder
  f="$bag/late_0.mcap"
  validate "$f" > "$T/v_late.json" || fail "late: invalid file"
  rec_seq --topic /seq --ros-field seq "$f" > "$T/s.json"
  [ "$(json "$T/s.json" '[j.count, j.first, j.last, j.contiguous].join()')" = "$N,1,$N,true" ] || fail "late: /seq $(cat "$T/s.json")"
  [ "$(json "$T/v_late.json" "j.channels.find(c => c.topic === 'DDSPerfRDataKS').count > 100")" = true ] || fail "late: ddsperf topic"
  echo "ok: late-joining topics"
fi
