#!/usr/bin/env bash
# Splits: --max-bag-size cuts the recording into <name>_0.mcap, _1.mcap, ... (each a complete
# valid file), SIGUSR1 (the daemon's split) cuts one more; metadata.yaml lists every segment with
# counts that add up, and the segments read in order hold every sample once, contiguously.
source "$(dirname "$0")/rec_lib.sh"
need_node
command -v ddsperf >/dev/null || { echo "ddsperf not installed" >&2; exit 77; }
D=$ROS_DOMAIN_ID
start_recorder "$T/rec.log" -a --include-dds -o "$T/bag" --max-bag-size 512K --chunk-size 32K --compression-format none
wait_for 20 test -s "$T/bag/recorder.stats" || fail "no stats file"
ddsperf -i "$D" -Q minmatch:1 -Q initwait:1 pub 1000Hz size 1k > "$T/prime.log" 2>&1 || true
wait_for 20 topic_known "$T/bag/recorder.stats" DDSPerfRDataKS || fail "recorder never subscribed"
ddsperf -i "$D" -D 8 sub > "$T/sub.log" 2>&1 &
SUB=$!; PIDS+=("$SUB")
ddsperf -i "$D" -D 3 -Q minmatch:1 -Q initwait:20 pub 1000Hz size 1k > "$T/pub.log" 2>&1 &
PUB=$!; PIDS+=("$PUB")
wait_for 20 stat_ge "$T/bag/recorder.stats" segments 3 ||
  fail "no size-based split"
before=$(stat_field "$T/bag/recorder.stats" segments)
kill -USR1 "$REC_PID"
wait_for 10 stat_ge "$T/bag/recorder.stats" segments $((before + 1)) ||
  fail "SIGUSR1 did not split"
wait "$PUB" || fail "ddsperf pub failed"
wait "$SUB" || true
sub_total=$(awk '/ total / { for (i = 1; i <= NF; i++) if ($i == "total") t = $(i + 1) } END { print t }' "$T/sub.log")
wait_for 20 topic_ge "$T/bag/recorder.stats" DDSPerfRDataKS messages $sub_total ||
  fail "recorder received fewer than $sub_total"
stop_recorder
n=$(stat_field "$T/bag/recorder.stats" segments)
[ "$n" -ge 4 ] || fail "expected at least 4 segments, got $n"
files=()
for i in $(seq 0 $((n - 1))); do
  f="$T/bag/bag_$i.mcap"
  [ -f "$f" ] || fail "missing segment $f"
  validate "$f" > "$T/v$i.json" || fail "segment $f invalid: $(cat "$T/v$i.json")"
  grep -q "^    - bag_$i.mcap\$" "$T/bag/metadata.yaml" || fail "metadata.yaml does not list bag_$i.mcap"
  files+=("$f")
done
[ ! -e "$T/bag/bag_$n.mcap" ] || fail "more files than segments reported"
rec_seq --topic DDSPerfRDataKS "${files[@]}" > "$T/seq.json"
cat "$T/seq.json"
[ "$(json "$T/seq.json" j.contiguous)" = true ] || fail "samples across segments not contiguous"
[ "$(json "$T/seq.json" j.count)" = "$sub_total" ] || fail "recorded $(json "$T/seq.json" j.count), ddsperf sub got $sub_total"
# metadata.yaml: per-file counts add up to the total, which matches the files.
total_files=0
for i in $(seq 0 $((n - 1))); do total_files=$(( total_files + $(json "$T/v$i.json" j.messageCount) )); done
meta_total=$(awk '/^  message_count:/ { print $2 }' "$T/bag/metadata.yaml")
[ "$meta_total" = "$total_files" ] || fail "metadata.yaml says $meta_total messages, files hold $total_files"
sum_files=$(awk '/^  [a-z_]+:/ { f = ($1 == "files:") } f && /message_count:/ { s += $2 } END { print s }' "$T/bag/metadata.yaml")
[ "$sum_files" = "$total_files" ] || fail "metadata.yaml files[] counts add to $sum_files, not $total_files"
# Every segment carries the rosbag2 metadata record.
for i in $(seq 0 $((n - 1))); do
  [ "$(json "$T/v$i.json" 'j.metadata.some(m => m.name === "rosbag2")')" = true ] || fail "bag_$i.mcap lacks the rosbag2 record"
done
echo "ok: $n segments, $sub_total samples contiguous across them, metadata.yaml consistent"
