#!/usr/bin/env bash
# bench_record.sh — the built-in recorder against ddsperf, on this machine.
#
# 1. Throughput: `ddsperf pub` (reliable, keep-all) at its maximum rate feeds both `ddsperf sub`
#    (compiled types, the ceiling) and `recguard record --include-dds`, in the same run, for each
#    payload size and chunk compression. Reports the recorder's messages/s written with zero loss
#    (no queue drops, every sample in the file) next to ddsperf sub's messages/s, their ratio, the
#    recorder's CPU (user+sys over the run) and peak RSS (VmHWM). When the recorder dropped at the
#    maximum rate, the run is repeated with the publisher limited to 80% of what was recorded,
#    up to twice, and the best zero-loss rate is reported. A baseline right before each
#    configuration puts a second `ddsperf sub` where the recorder will be: the recorder's rate
#    against it is its cost beyond being one more reliable reader of the publisher.
# 2. Data at risk after kill -9: defaults (chunk 768 KiB, --max-chunk-age 1000 ms), 1 KiB at a
#    fixed rate; kill -9, `recguard recover`, then how many ms / bytes before the kill are missing.
#
# usage: bench/bench_record.sh [--quick]     (from the repository root, after `make build`)
#   env: RECGUARD (build/recguard), RG_HELPERS (build/tests), DUR (3 s per run),
#        SIZES ("16 1024 16384 65536"), COMPS ("none lz4 zstd"), OUT (bench/out/record)
# Prints a Markdown table (stdout) and keeps raw logs under $OUT. Short runs on purpose: the
# machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
RECGUARD=${RECGUARD:-$PWD/build/recguard}
RG_HELPERS=${RG_HELPERS:-$PWD/build/tests}
DUR=${DUR:-3}
SIZES=${SIZES:-"16 1024 16384 65536"}
COMPS=${COMPS:-"none lz4 zstd"}
OUT=${OUT:-$PWD/bench/out/record}
if [ "${1:-}" = --quick ]; then SIZES="1024"; COMPS="none"; fi
export CYCLONEDDS_URI="file://$PWD/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
D=$ROS_DOMAIN_ID
E2E=$PWD/tests/e2e
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done' EXIT

stats() { "$RG_HELPERS/helper_rec_stats" "$1"; }
topic_field() { stats "$1" | awk -v t="$2" -v f="$3" '$1 == "topic" && $2 == t { for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'; }
wait_until() { # wait_until SECONDS CMD...
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.1; done
}
topic_known() { stats "$1" | grep -q "^topic $2 "; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
drained() { # drained STATS TOPIC: every received sample is written or dropped
  local s; s=$(stats "$1" | awk -v t="$2" '$1 == "topic" && $2 == t { print $4, $6, $8 }')
  set -- $s
  [ -n "${1:-}" ] && [ "$1" = $(( $2 + $3 )) ]
}
sub_total() { awk '/ total / { for (i = 1; i <= NF; i++) if ($i == "total") t = $(i + 1) } END { print t + 0 }' "$1"; }

# start_rec DIR ARGS...: recorder in the background (REC), primed on ddsperf's data topic.
start_rec() {
  local dir=$1; shift
  mkdir -p "$dir"
  "$RECGUARD" record -a --include-dds -o "$dir/bag" "$@" > "$dir/rec.log" 2>&1 &
  REC=$!
  PIDS+=("$REC")
  wait_until 20 test -s "$dir/bag/recorder.stats" || { echo "recorder did not start" >&2; exit 1; }
  ddsperf -i "$D" -k all -Q minmatch:1 -Q initwait:1 pub size 16 > /dev/null 2>&1 || true
  wait_until 20 topic_known "$dir/bag/recorder.stats" DDSPerfRDataKS || { echo "no reader" >&2; exit 1; }
}

# run SIZE COMP RATE ("" = max) -> sets R_* results.
run() {
  local size=$1 comp=$2 rate=$3
  local dir="$OUT/${size}_${comp}_${rate:-max}"
  start_rec "$dir" --compression-format "$comp"
  ddsperf -i "$D" -k all -D $((DUR + 4)) sub > "$dir/sub.log" 2>&1 &
  local sub=$!
  PIDS+=("$sub")
  local c0; c0=$(cpu_ticks "$REC")
  local t0; t0=$(date +%s%N)
  ddsperf -i "$D" -k all -D "$DUR" -Q minmatch:1 -Q initwait:20 pub ${rate:+${rate}Hz} size "$size" > "$dir/pub.log" 2>&1 || true
  wait "$sub" || true
  wait_until 120 drained "$dir/bag/recorder.stats" DDSPerfRDataKS || echo "warning: recorder not drained" >&2
  local t1; t1=$(date +%s%N)
  local c1; c1=$(cpu_ticks "$REC")
  R_HWM=$(hwm_kb "$REC")
  kill -INT "$REC"
  wait "$REC" || true
  R_WRITTEN=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS written)
  R_DROPS=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS drops)
  R_SUB=$(sub_total "$dir/sub.log")
  R_CPU=$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v d="$DUR" 'BEGIN { printf "%.0f", 100 * c / hz / d }')
  R_BYTES=$(stats "$dir/bag/recorder.stats" | awk '$1 == "bytes_written" { print $2 }')
  R_WALL=$(( (t1 - t0) / 1000000 ))
  rm -f "$dir"/bag/*.mcap # keep logs, not gigabytes
}

# Baseline, right before each recorder run (the machine is shared: conditions drift): the same
# publisher with two `ddsperf sub`s, the second standing where the recorder will be. Loopback
# here has no multicast, so every extra reliable reader costs the publisher a second unicast
# copy of each sample; this isolates what the recorder costs beyond being a second reader.
alone() {
  local size=$1 dir="$OUT/twosubs_$1_$2"
  mkdir -p "$dir"
  ddsperf -i "$D" -k all -D $((DUR + 4)) sub > "$dir/sub.log" 2>&1 &
  local sub=$!
  ddsperf -i "$D" -k all -D $((DUR + 4)) sub > "$dir/sub2.log" 2>&1 &
  local sub2=$!
  PIDS+=("$sub" "$sub2")
  ddsperf -i "$D" -k all -D "$DUR" -Q minmatch:2 -Q initwait:20 pub size "$size" > "$dir/pub.log" 2>&1 || true
  wait "$sub" "$sub2" || true
  ALONE=$(( $(sub_total "$dir/sub2.log") / DUR ))
}

echo "## Recorder: ddsperf pub (reliable keep-all, max rate, ${DUR} s) -> ddsperf sub + recguard record"
echo
echo "| payload | compression | second ddsperf sub instead, msg/s (run just before) | ddsperf sub msg/s, same run | recorded msg/s, zero loss | ratio to sub, same run | ratio to a second ddsperf sub | publisher rate for it | recorder CPU | recorder peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for size in $SIZES; do
  for comp in $COMPS; do
    alone "$size" "$comp"
    run "$size" "$comp" ""
    sub_rate=$(( R_SUB / DUR ))
    best=""; at="max"; cpu=$R_CPU; hwm=$R_HWM
    if [ "$R_DROPS" = 0 ]; then
      best=$(( R_WRITTEN / DUR ))
    else
      echo "  ($size B $comp: dropped $R_DROPS of $((R_WRITTEN + R_DROPS)) at max rate)" >&2
      try=$(( R_WRITTEN * 8 / 10 / DUR ))
      for attempt in 1 2; do
        run "$size" "$comp" "$try"
        if [ "$R_DROPS" = 0 ]; then best=$(( R_WRITTEN / DUR )); at="${try} Hz"; cpu=$R_CPU; hwm=$R_HWM; break; fi
        try=$(( try * 8 / 10 ))
      done
    fi
    ratio=$( [ -n "$best" ] && awk -v a="$best" -v b="$sub_rate" 'BEGIN { printf "%.2f", (b ? a / b : 0) }' || echo "-")
    ratio_alone=$( [ -n "$best" ] && awk -v a="$best" -v b="$ALONE" 'BEGIN { printf "%.2f", (b ? a / b : 0) }' || echo "-")
    printf "| %s B | %s | %s | %s | %s | %s | %s | %s | %s%% | %s MiB |\n" "$size" "$comp" "$ALONE" "$sub_rate" "${best:-loss at every rate tried}" "$ratio" "$ratio_alone" "$at" "$cpu" "$((hwm / 1024))"
  done
done

# ---- data at risk after kill -9 ----
echo
echo "## Recorder: data at risk after kill -9 (defaults: chunk 768 KiB, --max-chunk-age 1000 ms)"
echo
echo "| load | kills | data lost before the kill, worst (ms) | same in bytes | bound: min(age, chunk/rate) | rosbag2 (cache 100 MiB, double-buffered) |"
echo "|---|---|---|---|---|---|"
KILLS=${KILLS:-3}
for load in "1024 10000" "16384 2000"; do
  set -- $load
  size=$1 rate=$2
  worst=0
  for k in $(seq 1 "$KILLS"); do
    dir="$OUT/kill_${size}_${rate}_$k"
    start_rec "$dir"
    ddsperf -i "$D" -k all -D 30 sub > "$dir/sub.log" 2>&1 &
    PIDS+=($!)
    ddsperf -i "$D" -k all -D 30 -Q minmatch:1 -Q initwait:20 pub "${rate}Hz" size "$size" > "$dir/pub.log" 2>&1 &
    PIDS+=($!)
    # Kill at a point unrelated to chunk boundaries: 2 s of traffic plus a random fraction.
    wait_until 30 bash -c "[ \"\$(\"$RG_HELPERS/helper_rec_stats\" $dir/bag/recorder.stats | awk '\$1==\"topic\" && \$2==\"DDSPerfRDataKS\" {print \$6}')\" -ge $((rate * 2)) ]" || true
    sleep "0.$((RANDOM % 1000))"
    kill_ns=$(date +%s%N)
    kill -9 "$REC"
    wait "$REC" 2>/dev/null || true
    "$RECGUARD" recover "$dir/bag/bag_0.mcap" -o "$dir/rec.mcap" > "$dir/recover.log" 2>&1 || true
    last_pub=$(cd "$E2E" && node --input-type=module -e '
      import { McapIndexedReader } from "@mcap/core";
      import { loadDecompressHandlers } from "@mcap/support";
      import { readFileSync } from "node:fs";
      const b = readFileSync(process.argv[1]);
      const r = await McapIndexedReader.Initialize({ readable: { size: async () => BigInt(b.length), read: async (o, n) => b.subarray(Number(o), Number(o + n)) }, decompressHandlers: await loadDecompressHandlers() });
      let last = 0n;
      for await (const m of r.readMessages({ topics: ["DDSPerfRDataKS"] })) if (m.publishTime > last) last = m.publishTime;
      console.log(last.toString());' "$dir/rec.mcap")
    ms=$(( (kill_ns - last_pub) / 1000000 ))
    [ "$ms" -gt "$worst" ] && worst=$ms
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
    rm -f "$dir"/bag/*.mcap "$dir/rec.mcap"
  done
  bound=$(awk -v s="$size" -v r="$rate" 'BEGIN { t = 786432 / (s * r) * 1000; printf "%.0f", (t < 1000 ? t : 1000) }')
  printf "| %s B at %s Hz (%s MiB/s) | %s | %s | %s | %s ms | up to 200 MiB |\n" "$size" "$rate" \
    "$(awk -v s="$size" -v r="$rate" 'BEGIN { printf "%.1f", s * r / 1048576 }')" "$KILLS" "$worst" \
    "$(awk -v ms="$worst" -v s="$size" -v r="$rate" 'BEGIN { printf "%.0f KiB", ms * r * s / 1000 / 1024 }')" "$bound"
done
