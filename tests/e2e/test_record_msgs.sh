#!/usr/bin/env bash
# Schemas without ROS: the build installed into a temporary root (`cmake --install`, DESTDIR),
# and that installed recguard, with AMENT_PREFIX_PATH and RECGUARD_MSG_PATH unset, records
#  - `recguard demo` (std_msgs/String, recguard_msgs/Sequence, sensor_msgs/Image, sensor_msgs/Imu),
#  - one message of a type from each bundled interface package (tests/e2e/msg_samples.mjs encodes
#    them as CDR, helper_cdr_pub publishes the bytes under the ROS type's DDS name),
#  - two topics of a type that is defined nowhere.
# Every demo and sample message decodes with @foxglove/rosmsg2-serialization using the schema in
# the file and equals what was sent; the unknown type is recorded with an empty schema and one
# warning naming it and how to provide it. A second run shows AMENT_PREFIX_PATH winning over the
# bundled definitions.
source "$(dirname "$0")/rec_lib.sh"
need_node
: "${RG_BUILD_DIR:?run through ctest}"
N=20

root="$T/root"
DESTDIR="$root" cmake --install "$RG_BUILD_DIR" --prefix /usr > "$T/install.log" 2>&1 ||
  fail "cmake --install: $(tail -n 5 "$T/install.log")"
RECGUARD="$root/usr/bin/recguard"
[ -x "$RECGUARD" ] || fail "no installed binary at $RECGUARD"
[ -f "$root/usr/share/recguard/msgs/type_description_interfaces/msg/TypeDescription.msg" ] ||
  fail "definitions not installed under share/recguard/msgs"
unset AMENT_PREFIX_PATH RECGUARD_MSG_PATH

node_e2e msg_samples.mjs write "$T/samples" || fail "samples not written"
printf '\x00\x01\x00\x03\x07\x00\x00\x00\x2a\x00\x00\x00' > "$T/widget.cdr"
{
  cat "$T/samples/manifest"
  echo "rt/rg/widget_a acme_msgs::msg::dds_::Widget_ $T/widget.cdr"
  echo "rt/rg/widget_b acme_msgs::msg::dds_::Widget_ $T/widget.cdr"
} > "$T/manifest"
nsamples=$(wc -l < "$T/manifest")

bag="$T/bag"
start_recorder "$T/rec.log" -a -o "$bag"
wait_for 20 test -s "$bag/recorder.stats" || fail "no stats file"
"$RECGUARD" demo --count $N --rate-scale 10 > "$T/demo.log" 2>&1 || fail "demo failed: $(cat "$T/demo.log")"
"$RG_HELPERS/helper_cdr_pub" "$T/manifest" > "$T/pub.log" 2>&1 || fail "helper_cdr_pub: $(cat "$T/pub.log")"
grep -qx "sent $nsamples" "$T/pub.log" || fail "helper_cdr_pub: $(cat "$T/pub.log")"
# Acknowledged is not yet taken: stop once the recorder counted every message.
for t in /chatter /seq /camera/image_raw; do
  wait_for 20 topic_ge "$bag/recorder.stats" $t messages $N || fail "$t: $(topic_field "$bag/recorder.stats" $t messages) of $N"
done
while read -r dds _ _; do
  t=${dds#rt}
  wait_for 20 topic_ge "$bag/recorder.stats" "$t" messages 1 || fail "$t not recorded"
done < "$T/manifest"
stop_recorder

f="$bag/bag_0.mcap"
V="$T/v.json"
validate "$f" > "$V" || fail "validator rejected $f: $(head -c 3000 "$V")"
[ "$(json "$V" j.decodeErrors)" = 0 ] || fail "decode errors: $(json "$V" j.errors)"
# Demo types: schema from the installed definitions, every value decoded.
for spec in "/chatter std_msgs/msg/String" "/seq recguard_msgs/msg/Sequence" \
            "/camera/image_raw sensor_msgs/msg/Image" "/imu sensor_msgs/msg/Imu"; do
  set -- $spec
  [ "$(json "$V" "j.channels.find(c => c.topic === '$1').schemaName")" = "$2" ] || fail "$1: schema name"
  [ "$(json "$V" "j.channels.find(c => c.topic === '$1').schemaEncoding")" = ros2msg ] || fail "$1: no ros2msg schema"
done
for spec in "/chatter data" "/seq seq" "/camera/image_raw data"; do
  set -- $spec
  rec_seq --topic "$1" --ros-field "$2" "$f" > "$T/s.json" || fail "$1 unreadable"
  [ "$(json "$T/s.json" '[j.count, j.first, j.last, j.contiguous].join()')" = "$N,1,$N,true" ] ||
    fail "$1 values: $(cat "$T/s.json")"
done
[ "$(json "$V" 'j.samples["/chatter"].last.data')" = "hello $N" ] || fail "last /chatter"
[ "$(json "$V" 'j.samples["/imu"].last.header.frame_id.length > 0')" = true ] || fail "/imu header"
[ "$(json "$V" 'j.samples["/imu"].last.orientation.w !== undefined && j.samples["/imu"].last.orientation_covariance.bytes === 9')" = true ] ||
  fail "/imu fields: $(json "$V" 'j.samples["/imu"].last')"
# One type per package: decoded field by field against what was sent.
node_e2e msg_samples.mjs check "$f" > "$T/check.json" || fail "samples: $(cat "$T/check.json")"
[ "$(json "$T/check.json" j.checked.length)" = $((nsamples - 2)) ] || fail "samples checked: $(cat "$T/check.json")"
# The unknown type: both topics recorded, empty schema, exactly one warning that says how to fix it.
for t in /rg/widget_a /rg/widget_b; do
  [ "$(json "$V" "j.channels.find(c => c.topic === '$t').count")" = 1 ] || fail "$t not in the file"
  [ "$(json "$V" "j.channels.find(c => c.topic === '$t').schemaEncoding")" = "" ] || fail "$t: schema encoding"
done
[ "$(grep -c 'warning:.*acme_msgs/msg/Widget' "$T/rec.log")" = 1 ] || fail "want one warning for acme_msgs/msg/Widget: $(cat "$T/rec.log")"
grep 'warning:.*acme_msgs/msg/Widget' "$T/rec.log" | grep -q -- '--msg-path.*RECGUARD_MSG_PATH.*AMENT_PREFIX_PATH' ||
  fail "the warning does not say how to provide the definition: $(grep Widget "$T/rec.log")"
grep -v 'acme_msgs/msg/Widget' "$T/rec.log" | grep -q 'warning:.*schema(' && fail "other schema warnings: $(cat "$T/rec.log")"
echo "ok: demo types and $((nsamples - 2)) packages decoded from the installed definitions"

# AMENT_PREFIX_PATH wins over the bundled definitions; the bundle still serves the rest.
mkdir -p "$T/ament/share/std_msgs/msg"
printf '# from AMENT_PREFIX_PATH\nstring data\n' > "$T/ament/share/std_msgs/msg/String.msg"
printf '\x00\x01\x00\x02\x06\x00\x00\x00hello\x00\x00\x00' > "$T/string.cdr"
{
  echo "rt/rg/text std_msgs::msg::dds_::String_ $T/string.cdr"
  grep '^rt/rg/duration ' "$T/samples/manifest"
} > "$T/manifest2"
bag="$T/bag2"
AMENT_PREFIX_PATH="/nonexistent:$T/ament" start_recorder "$T/rec2.log" -a -o "$bag"
wait_for 20 test -s "$bag/recorder.stats" || fail "ament: no stats file"
"$RG_HELPERS/helper_cdr_pub" "$T/manifest2" > "$T/pub2.log" 2>&1 || fail "ament: helper_cdr_pub: $(cat "$T/pub2.log")"
for t in /rg/text /rg/duration; do
  wait_for 20 topic_ge "$bag/recorder.stats" $t messages 1 || fail "ament: $t not recorded"
done
stop_recorder
(cd "$RG_E2E_DIR" && node --input-type=module -e '
  import { McapIndexedReader } from "@mcap/core";
  import { readFileSync } from "node:fs";
  const b = readFileSync(process.argv[1]);
  const r = await McapIndexedReader.Initialize({ readable: { size: async () => BigInt(b.length), read: async (o, n) => b.subarray(Number(o), Number(o + n)) } });
  const text = (name) => new TextDecoder().decode([...r.schemasById.values()].find((s) => s.name === name).data);
  if (text("std_msgs/msg/String") !== "# from AMENT_PREFIX_PATH\nstring data\n") throw new Error("String schema not from AMENT_PREFIX_PATH");
  if (!/^int32 sec\b/m.test(text("builtin_interfaces/msg/Duration"))) throw new Error("Duration schema not from the bundle");' "$bag/bag2_0.mcap") ||
  fail "ament: schema sources"
echo "ok: AMENT_PREFIX_PATH wins"
