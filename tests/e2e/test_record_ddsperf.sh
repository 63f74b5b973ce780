#!/usr/bin/env bash
# `recguard record --include-dds` records ddsperf's (non-ROS) traffic: every sample ddsperf
# published is in the file exactly once, in order (KeyedSeq sequence numbers contiguous from 0),
# and the count equals what an independent `ddsperf sub` received from the same publisher in
# the same run (reliable, keep-all, lost 0). Also checks the DDS-level count in the stats file
# equals the file's, and that the files pass @mcap/core with CRCs.
source "$(dirname "$0")/rec_lib.sh"
need_node
command -v ddsperf >/dev/null || { echo "ddsperf not installed" >&2; exit 77; }
D=$ROS_DOMAIN_ID
start_recorder "$T/rec.log" -a --include-dds -o "$T/bag" --max-chunk-age 200
wait_for 20 test -s "$T/bag/recorder.stats" || fail "no stats file"
# Prime: a publisher that waits for a ddsperf peer that never comes, so it creates its writer
# (the recorder makes its reader for DDSPerfRDataKS) and exits without publishing anything.
ddsperf -i "$D" -Q minmatch:1 -Q initwait:1 pub 1000Hz size 1k > "$T/prime.log" 2>&1 || true
wait_for 20 topic_known "$T/bag/recorder.stats" DDSPerfRDataKS || fail "recorder never subscribed"
# The real run: the publisher starts only once the subscriber is there (minmatch), and stops
# after 3 s. The recorder's reader predates this writer, so it matches in the same discovery
# round as the subscriber's.
ddsperf -i "$D" -D 6 sub > "$T/sub.log" 2>&1 &
SUB=$!; PIDS+=("$SUB")
ddsperf -i "$D" -D 3 -Q minmatch:1 -Q initwait:20 pub 2000Hz size 1k > "$T/pub.log" 2>&1 ||
  fail "ddsperf pub failed: $(cat "$T/pub.log")"
wait "$SUB" || true
sub_total=$(awk '/ total / { for (i = 1; i <= NF; i++) if ($i == "total") t = $(i + 1) } END { print t }' "$T/sub.log")
sub_lost=$(awk '/ total / { for (i = 1; i <= NF; i++) if ($i == "lost") l = $(i + 1) } END { print l }' "$T/sub.log")
[ -n "$sub_total" ] && [ "$sub_total" -gt 1000 ] || fail "ddsperf sub saw too little: $(cat "$T/sub.log")"
[ "$sub_lost" = 0 ] || fail "ddsperf sub lost samples: $sub_lost"
# Everything ddsperf sub got has reached the recorder too (same publisher, reliable keep-all).
wait_for 20 topic_ge "$T/bag/recorder.stats" DDSPerfRDataKS messages $sub_total ||
  fail "recorder received fewer than $sub_total"
stop_recorder
dds_count=$(topic_field "$T/bag/recorder.stats" DDSPerfRDataKS messages)
drops=$(topic_field "$T/bag/recorder.stats" DDSPerfRDataKS drops)
[ "$(stat_field "$T/bag/recorder.stats" state)" = stopped ] || fail "final state not stopped"
validate "$T/bag/bag_0.mcap" > "$T/v.json" || fail "validator rejected the file: $(cat "$T/v.json")"
rec_seq --topic DDSPerfRDataKS "$T/bag/bag_0.mcap" > "$T/seq.json"
cat "$T/seq.json"
count=$(json "$T/seq.json" j.count)
[ "$(json "$T/seq.json" j.contiguous)" = true ] || fail "sequence not contiguous: $(cat "$T/seq.json")"
[ "$(json "$T/seq.json" j.first)" = 0 ] || fail "first sample missed: $(cat "$T/seq.json")"
[ "$count" = "$sub_total" ] || fail "recorded $count, ddsperf sub received $sub_total"
[ "$count" = "$dds_count" ] || fail "file has $count, recorder received $dds_count from DDS"
[ "$drops" = 0 ] || fail "recorder dropped $drops"
# Schema: the DDS type name with no definition (rosbag2's empty definition), message encoding cdr.
[ "$(json "$T/v.json" 'j.channels.find(c => c.topic === "DDSPerfRDataKS").schemaName')" = KeyedSeq ] || fail "schema name"
[ "$(json "$T/v.json" 'j.channels.find(c => c.topic === "DDSPerfRDataKS").messageEncoding')" = cdr ] || fail "message encoding"
grep -q "DDSPerfRDataKS" "$T/bag/metadata.yaml" || fail "metadata.yaml lacks the topic"
echo "ok: ddsperf published $sub_total (per ddsperf sub), recorded $count, contiguous from 0"
