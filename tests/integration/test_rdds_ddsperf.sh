#!/usr/bin/env bash
# rdds records ddsperf's keyed KeyedSeq traffic (an independent Cyclone application) as plain DDS
# topics: a reliable keep-all publisher with 4 key values arrives without a gap once matched
# (count == last seq - first seq + 1), a best-effort one arrives too; nothing is recorded
# without --include-dds.
. "$(dirname "$0")/rdds_lib.sh"
command -v ddsperf >/dev/null || { echo "SKIP: ddsperf missing (cyclonedds-tools)"; exit 77; }
"$RG_HELPERS/helper_rdds_sub" --include-dds DDSPerfRDataKS DDSPerfUDataKS --timeout 90 > "$TMP/sub.out" 2> "$TMP/sub.err" &
SUB=$!; PIDS+=($SUB)
"$RG_HELPERS/helper_rdds_sub" -a --timeout 90 > "$TMP/nodds.out" 2> "$TMP/nodds.err" &
NODDS=$!; PIDS+=($NODDS)
wait_line "$TMP/sub.out" '^ready$'
wait_line "$TMP/nodds.out" '^ready$'
# One after the other: two ddsperf processes in one domain expect each other's ping/pong
# endpoints and exit 1 without them.
ddsperf -i "$ROS_DOMAIN_ID" -D 3 -n 4 -k all pub 1000Hz size 1k > "$TMP/rel.out" 2>&1 &
REL=$!; PIDS+=($REL)
wait_exit $REL 60; expect_eq "ddsperf reliable pub exit" "$WAIT_RC" 0
ddsperf -i "$ROS_DOMAIN_ID" -D 2 -u pub 200Hz size 100 > "$TMP/be.out" 2>&1 &
BE=$!; PIDS+=($BE)
wait_exit $BE 60; expect_eq "ddsperf best-effort pub exit" "$WAIT_RC" 0
wait_line "$TMP/sub.out" '^topic [0-9]+ DDSPerfUDataKS '
kill -TERM $SUB $NODDS
wait_exit $SUB 30; expect_eq "helper exit" "$WAIT_RC" 0
wait_exit $NODDS 30; expect_eq "helper (no dds) exit" "$WAIT_RC" 0

grep -Eq '^topic [0-9]+ DDSPerfRDataKS KeyedSeq dds=DDSPerfRDataKS ddstype=KeyedSeq keyed=1 ros=0 pubs=1 reliable=1$' "$TMP/sub.out" \
  || fail "reliable topic line: $(cat "$TMP/sub.out")"
grep -Eq '^topic [0-9]+ DDSPerfUDataKS KeyedSeq dds=DDSPerfUDataKS ddstype=KeyedSeq keyed=1 ros=0 pubs=1 reliable=0$' "$TMP/sub.out" \
  || fail "best-effort topic line: $(cat "$TMP/sub.out")"
n=$(jget "$TMP/sub.out" 't("DDSPerfRDataKS").count')
span=$(jget "$TMP/sub.out" 't("DDSPerfRDataKS").seq_max - t("DDSPerfRDataKS").seq_min + 1')
expect_eq "reliable keep-all samples vs sequence span (a gap = a lost sample)" "$n" "$span"
[ "$n" -ge 500 ] || fail "only $n reliable samples of ~3000"
bn=$(jget "$TMP/sub.out" 't("DDSPerfUDataKS").count')
bspan=$(jget "$TMP/sub.out" 't("DDSPerfUDataKS").seq_max - t("DDSPerfUDataKS").seq_min + 1')
[ "$bn" -ge 1 ] && [ "$bn" -le "$bspan" ] || fail "best-effort: $bn samples over a span of $bspan"
expect_eq "-a without --include-dds records no DDS topic" "$(grep -c '^topic ' "$TMP/nodds.out" || true)" 0
pass
