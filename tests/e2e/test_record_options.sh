#!/usr/bin/env bash
# ros2 bag record's options, each by its effect on a real recording of `recguard demo`
# (/chatter String, /imu Imu, /camera/image_raw Image, /seq Sequence), checked with the
# independent readers (validate_mcap.mjs): the topics each selection records and no other,
# custom_data in metadata.yaml, storage presets and the storage config file in the chunks'
# compression, --compression-mode/-format, -b/-d split points (every segment valid),
# --start-paused with SIGUSR2, --log-level, and the refusals (-s sqlite3, --snapshot-mode...).
source "$(dirname "$0")/rec_lib.sh"
need_node

expect_usage() { # expect_usage "needle" args...
  local needle=$1; shift
  local rc=0
  "$RECGUARD" record -o "$T/refused" "$@" > "$T/out" 2> "$T/err" || rc=$?
  [ "$rc" = 2 ] || fail "record $* exited $rc, expected 2: $(cat "$T/err")"
  grep -qF -- "$needle" "$T/err" || fail "record $*: message lacks '$needle': $(cat "$T/err")"
}
expect_usage "use -s mcap" -a -s sqlite3
expect_usage "ros2 bag convert" -a -s sqlite3
expect_usage "--compression-mode file: needs --compression-format" -a --compression-mode file
expect_usage "--exclude-topics/--exclude-topic-types need" --topics /a --exclude-topics /b
expect_usage "--storage-preset-profile fast" -a --storage-preset-profile fast
expect_usage "--custom-data novalue: expected KEY=VALUE" -a --custom-data novalue
expect_usage "--log-level loud" -a --log-level loud
expect_usage "--use-sim-time and --no-discovery" -a --use-sim-time --no-discovery
expect_usage "--snapshot-mode: each snapshot is its own segment" -a --snapshot-mode -b 1M
echo 'noChunking: true' > "$T/nochunk.yaml"
expect_usage "noChunking: recguard always writes chunks" -a --storage-config-file "$T/nochunk.yaml"
echo 'bogusKey: 1' > "$T/bogus.yaml"
expect_usage "bogusKey: unknown key" -a --storage-config-file "$T/bogus.yaml"
printf '/chatter:\n  reliability: sometimes\n' > "$T/badqos.yaml"
expect_usage "topic /chatter: reliability: expected reliable" -a --qos-profile-overrides-path "$T/badqos.yaml"
[ ! -e "$T/refused" ] || fail "a refused command line created the output directory"

cat > "$T/mcap.yaml" <<'EOF'
noCRC: false
noChunking: false
noSummary: false
chunkSize: 65536
compression: "Lz4"
compressionLevel: "Fast"
forceCompression: false
EOF

# name;options;expected topics (sorted);expected chunk compression
CASES=(
  "list;--topics /chatter imu --custom-data owner=alice site=lab -s mcap --node-name rec1;/chatter /imu;"
  "positional;/seq /chatter --log-level warn;/chatter /seq;"
  "exclude;-a --exclude-topics /imu --exclude-topic-types sensor_msgs/msg/Image;/chatter /seq;"
  "types;--topic-types sensor_msgs/msg/Imu -e ^/cam;/camera/image_raw /imu;"
  "xregex;--all-topics -x chat|seq --storage-preset-profile zstd_small;/camera/image_raw /imu;zstd"
  "mode;--topics /chatter --compression-mode message --compression-format lz4;/chatter;lz4"
  "preset;--topics /seq --storage-preset-profile zstd_fast;/seq;zstd"
  "cfgfile;--topics /seq --storage-config-file $T/mcap.yaml;/seq;lz4"
  "split;--topics /camera/image_raw -b 2M;/camera/image_raw;"
  "duration;--topics /seq -d 1;/seq;"
  "paused;--topics /chatter --start-paused;/chatter;"
  "snapshot;--topics /camera/image_raw --snapshot-mode --max-cache-size 2M;/camera/image_raw;"
)
declare -A BAG PID_OF
for c in "${CASES[@]}"; do
  IFS=';' read -r name opts _ _ <<< "$c"
  BAG[$name]="$T/$name"
  # shellcheck disable=SC2086
  start_recorder "$T/$name.log" -o "$T/$name" $opts
  PID_OF[$name]=$REC_PID
done
for c in "${CASES[@]}"; do
  IFS=';' read -r name _ _ _ <<< "$c"
  wait_for 30 test -s "$T/$name/recorder.stats" || fail "$name: no stats file: $(cat "$T/$name.log")"
done
"$RECGUARD" demo --rate-scale 0.5 > "$T/demo.log" 2>&1 &
DEMO=$!; PIDS+=("$DEMO")

# Enough of each selected topic (and the splits) before stopping; the paused one gets nothing.
S() { echo "${BAG[$1]}/recorder.stats"; }
wait_for 60 topic_ge "$(S list)" /chatter messages 5 || fail "list: no /chatter"
wait_for 60 topic_ge "$(S list)" /imu messages 5 || fail "list: no /imu"
wait_for 60 topic_ge "$(S positional)" /seq messages 20 || fail "positional: no /seq"
wait_for 60 topic_ge "$(S exclude)" /chatter messages 5 || fail "exclude: no /chatter"
wait_for 60 topic_ge "$(S exclude)" /seq messages 20 || fail "exclude: no /seq"
wait_for 60 topic_ge "$(S types)" /imu messages 5 || fail "types: no /imu"
wait_for 60 topic_ge "$(S types)" /camera/image_raw messages 3 || fail "types: no camera"
wait_for 60 topic_ge "$(S xregex)" /camera/image_raw messages 3 || fail "xregex: no camera"
wait_for 60 topic_ge "$(S xregex)" /imu messages 5 || fail "xregex: no /imu"
wait_for 60 topic_ge "$(S mode)" /chatter messages 5 || fail "mode: no /chatter"
wait_for 60 topic_ge "$(S preset)" /seq messages 20 || fail "preset: no /seq"
wait_for 60 topic_ge "$(S cfgfile)" /seq messages 20 || fail "cfgfile: no /seq"
# Stopped as soon as they have their segments: every later split is one more file to validate.
declare -A STOPPED
stop_case() { REC_PID=${PID_OF[$1]}; stop_recorder; STOPPED[$1]=1; }
wait_for 90 stat_ge "$(S split)" segments 3 || fail "split: -b 2M never made 3 segments"
stop_case split
wait_for 60 stat_ge "$(S duration)" segments 3 || fail "duration: -d 1 never made 3 segments"
stop_case duration
# Paused: the recorder knows /chatter (subscribed) but has taken nothing while list took plenty.
wait_for 30 topic_known "$(S paused)" /chatter || fail "paused: /chatter not subscribed"
[ "$(stat_field "$(S paused)" messages_received)" = 0 ] || fail "paused: received while paused"
grep -q "paused (SIGUSR2 resumes)" "$T/paused.log" || fail "paused: no start line: $(cat "$T/paused.log")"
kill -USR2 "${PID_OF[paused]}"
wait_for 30 topic_ge "$(S paused)" /chatter messages 3 || fail "paused: SIGUSR2 did not resume"
grep -q "^recguard record: resumed$" "$T/paused.log" || fail "paused: no resume line"

# Snapshot: images pass through a 2 MiB ring (two 900 KiB images); SIGUSR1 writes what it holds.
wait_for 60 topic_ge "$(S snapshot)" /camera/image_raw messages 6 || fail "snapshot: no images"
[ "$(stat_field "$(S snapshot)" messages_written)" = 0 ] || fail "snapshot: wrote before the trigger"
grep -q "snapshot mode: holding the last" "$T/snapshot.log" || fail "snapshot: no start line"
kill -USR1 "${PID_OF[snapshot]}"
wait_for 30 stat_ge "$(S snapshot)" snapshots 1 || fail "snapshot: SIGUSR1 wrote no snapshot"
[ "$(stat_field "$(S snapshot)" segments)" = 1 ] || fail "snapshot: a segment opened after the snapshot"
kill -TERM "$DEMO"; wait "$DEMO" || true
for c in "${CASES[@]}"; do
  IFS=';' read -r name opts want comp <<< "$c"
  [ -n "${STOPPED[$name]:-}" ] || stop_case "$name"
  bag=${BAG[$name]}
  topics=""
  for f in "$bag"/*.mcap; do
    validate "$f" > "$f.json" || fail "$name: $f invalid: $(head -c 2000 "$f.json")"
    topics="$topics $(json "$f.json" 'j.channels.map(c => c.topic).join(" ")')"
    got_comp=$(json "$f.json" 'j.compression.join(",")')
    [ -z "$(json "$f.json" 'j.channels.map(c => c.topic).join("")')" ] ||
      [ "$got_comp" = "$comp" ] || fail "$name: $f chunk compression '$got_comp', expected '$comp'"
  done
  got=$(echo $topics | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "$name ($opts): recorded topics '$got', expected '$want'"
  echo "ok: $name: $got${comp:+ ($comp chunks)}"
done

# --custom-data lands in metadata.yaml's custom_data (and the MCAP's rosbag2 record).
M="$T/list/metadata.yaml"
# The custom_data map: from its key to the next key of the bag (recguard's loss keys come first).
custom() { sed -n '/^  custom_data:$/,/^  [a-z]/p' "$M"; }
custom | grep -q "^    owner: alice$" || fail "custom_data owner: $(cat "$M")"
custom | grep -q "^    site: lab$" || fail "custom_data site"
json "$T/list/list_0.mcap.json" 'JSON.stringify(j.metadata.find(m => m.name === "rosbag2"))' |
  grep -q 'owner: alice' || fail "custom_data not in the rosbag2 metadata record"
grep -q "node name rec1" "$T/list.log" || fail "--node-name not shown: $(cat "$T/list.log")"
# --log-level warn: no start line, no summary.
! grep -q "recording domain" "$T/positional.log" || fail "--log-level warn printed the start line"
! grep -q "stopped:" "$T/positional.log" || fail "--log-level warn printed the summary"
grep -q "recording domain" "$T/list.log" || fail "info level lost the start line"
# --compression-mode says what it does.
grep -q "note: --compression-mode file/message: written as MCAP chunk compression" "$T/mode.log" ||
  fail "compression-mode note missing: $(cat "$T/mode.log")"
# Split points: every segment listed in metadata.yaml, sizes near -b, counts adding up.
for name in split duration; do
  n=$(stat_field "$(S $name)" segments)
  [ "$n" -ge 3 ] || fail "$name: $n segments"
  total=0
  for i in $(seq 0 $((n - 1))); do
    f="${BAG[$name]}/${name}_$i.mcap"
    grep -q "^    - ${name}_$i.mcap\$" "${BAG[$name]}/metadata.yaml" || fail "$name: metadata lacks ${name}_$i.mcap"
    total=$(( total + $(json "$f.json" j.messageCount) ))
  done
  meta_total=$(awk '/^  message_count:/ { print $2 }' "${BAG[$name]}/metadata.yaml")
  [ "$meta_total" = "$total" ] || fail "$name: metadata says $meta_total, segments hold $total"
done
for i in 0 1; do # every segment but the last reached the size limit (2 MiB) within one image
  sz=$(stat -c %s "$T/split/split_$i.mcap")
  [ "$sz" -ge $((2 << 20)) ] && [ "$sz" -le $(( (2 << 20) + (2 << 20) )) ] || fail "split_$i.mcap is $sz bytes for -b 2M"
done
# The snapshot holds the newest images only (1 or 2 fit); no segment follows it (the next opens
# with the next snapshot; the ring is discarded at stop, as in rosbag2): no empty file.
n0=$(json "$T/snapshot/snapshot_0.mcap.json" j.messageCount)
[ "$n0" -ge 1 ] && [ "$n0" -le 2 ] || fail "snapshot: $n0 images in the snapshot, the ring holds 2"
(cd "$RG_E2E_DIR" && node rec_seq.mjs --topic /camera/image_raw --ros-field data "$T/snapshot/snapshot_0.mcap") > "$T/snap_seq.json"
[ "$(json "$T/snap_seq.json" j.first)" -ge 5 ] || fail "snapshot: not the newest images: $(cat "$T/snap_seq.json")"
[ ! -e "$T/snapshot/snapshot_1.mcap" ] || fail "snapshot: a segment after the snapshot was left"
grep -q "snapshot_1" "$T/snapshot/metadata.yaml" && fail "snapshot: metadata.yaml lists a segment after the snapshot"
echo "ok: all option cases"
