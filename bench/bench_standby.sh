#!/usr/bin/env bash
# bench_standby.sh — what the hot standby (the daemon's `redundancy: standby`) costs here.
#
# 1. Cost at rest: helper_pub_many publishes N topics at R Hz (1 x 100 Hz, 100 x 100 Hz,
#    1000 x 10 Hz; small std_msgs/String samples), recorded by a primary
#    (`recguard record -a --positions`), first alone, then with a standby beside it
#    (`--standby` on the primary's positions file, default window 10 s / 256 MiB). Per run, over
#    DUR seconds of steady traffic: CPU of the primary and of the standby (user+sys from
#    /proc/PID/stat, % of one core), their peak RSS (VmHWM), and the loopback traffic
#    (/proc/net/dev, lo, bytes): the DDS traffic the standby's extra reader costs. Loopback has no
#    multicast in tests/cyclonedds.xml, so every reliable reader gets its own copy of each sample.
#    As root the script runs in a network namespace of its own, so lo counts only its traffic.
# 2. Zero-loss throughput: `ddsperf pub` (reliable keep-all, maximum rate, SIZE bytes) into a
#    primary with and without a standby, alternating ROUNDS times (the machine is shared:
#    conditions drift); reports the primary's written msg/s and drops for each, and the ratio
#    of the medians on/off.
#
# usage: bench/bench_standby.sh [--quick]      (from the repository root, after `make build`)
#   env: RECGUARD, RG_HELPERS, DUR (10 s), ROUNDS (3), SIZE (1024), LOADS, OUT (bench/out/standby)
set -euo pipefail
if [ -z "${RG_BENCH_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  exec unshare --net env RG_BENCH_NETNS=1 "$0" "$@"
fi
[ -z "${RG_BENCH_NETNS:-}" ] || ip link set lo up
cd "$(dirname "$0")/.."
RECGUARD=${RECGUARD:-$PWD/build/recguard}
RG_HELPERS=${RG_HELPERS:-$PWD/build/tests}
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-1024}
LOADS=${LOADS:-"1:100 100:100 1000:10"}
OUT=${OUT:-$PWD/bench/out/standby}
if [ "${1:-}" = --quick ]; then DUR=4; ROUNDS=1; LOADS="100:100"; fi
export CYCLONEDDS_URI="file://$PWD/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="bench-standby-$$"
D=$ROS_DOMAIN_ID
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done' EXIT

stats() { "$RG_HELPERS/helper_rec_stats" "$1"; }
wait_until() { # wait_until SECONDS CMD...
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.1; done
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
lo_bytes() { awk '$1 == "lo:" { print $2 }' /proc/net/dev; }
pct() { awk -v c="$1" -v hz="$(getconf CLK_TCK)" -v d="$DUR" 'BEGIN { printf "%.2f", 100 * c / hz / d }'; }
topics_seen() { [ "$(stats "$1" | awk '$1 == "topic" && $2 ~ /^\/bench\// { n++ } END { print n + 0 }')" -ge "$2" ]; }
# sum over topics of field F (messages = received, written, drops)
topics_sum() { stats "$1" | awk -v f="$2" '$1 == "topic" { for (i = 3; i < NF; i += 2) if ($i == f) s += $(i + 1) } END { print s + 0 }'; }
stop() { kill -INT "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# rest N R STANDBY(0|1): one steady-state run; sets P_CPU P_HWM S_CPU S_HWM LO.
rest() {
  local n=$1 r=$2 sb=$3 dir="$OUT/rest_${1}x${2}_sb$3"
  mkdir -p "$dir"
  "$RG_HELPERS/helper_pub_many" --topics "$n" --rate "$r" --duration $((DUR + 60)) > "$dir/pub.log" 2>&1 &
  local pub=$!
  PIDS+=("$pub")
  "$RECGUARD" record -a -o "$dir/bag/bag_0.mcap" --positions "$dir/p0" --stats "$dir/s0" > "$dir/primary.log" 2>&1 &
  local p=$!
  PIDS+=("$p")
  local s=""
  if [ "$sb" = 1 ]; then
    "$RECGUARD" record -a -o "$dir/bag/bag_1.mcap" --standby "$dir/p0" --stats "$dir/s1" > "$dir/standby.log" 2>&1 &
    s=$!
    PIDS+=("$s")
  fi
  wait_until 60 topics_seen "$dir/s0" "$n" || echo "warning: primary saw fewer than $n topics" >&2
  [ -z "$s" ] || wait_until 60 topics_seen "$dir/s1" "$n" || echo "warning: standby saw fewer than $n topics" >&2
  sleep 2 # discovery traffic settles; then measure steady state
  local pc0 sc0=0 lo0; pc0=$(cpu_ticks "$p"); [ -z "$s" ] || sc0=$(cpu_ticks "$s"); lo0=$(lo_bytes)
  sleep "$DUR"
  local pc1 sc1=0 lo1; pc1=$(cpu_ticks "$p"); [ -z "$s" ] || sc1=$(cpu_ticks "$s"); lo1=$(lo_bytes)
  P_CPU=$(pct $((pc1 - pc0))); P_HWM=$(hwm_kb "$p")
  S_CPU=-; S_HWM=-
  if [ -n "$s" ]; then S_CPU=$(pct $((sc1 - sc0))); S_HWM=$(hwm_kb "$s"); fi
  LO=$(( (lo1 - lo0) / DUR ))
  [ -z "$s" ] || stop "$s"
  stop "$p"
  kill "$pub" 2>/dev/null || true
  wait "$pub" 2>/dev/null || true
  rm -rf "$dir/bag"
}

echo "## Hot standby: cost at rest (${DUR} s of steady traffic per run)"
echo
echo "| load | primary CPU alone | primary CPU with standby | standby CPU | standby / primary CPU | primary peak RSS | standby peak RSS | loopback bytes/s alone | with standby | traffic ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for load in $LOADS; do
  n=${load%%:*} r=${load##*:}
  rest "$n" "$r" 0
  a_cpu=$P_CPU a_lo=$LO a_hwm=$P_HWM
  rest "$n" "$r" 1
  printf "| %s x %s Hz | %s %% | %s %% | %s %% | %s | %s MiB | %s MiB | %s | %s | %s |\n" "$n" "$r" "$a_cpu" "$P_CPU" "$S_CPU" \
    "$(awk -v s="$S_CPU" -v p="$P_CPU" 'BEGIN { printf "%.2f", (p > 0 ? s / p : 0) }')" \
    "$(( a_hwm / 1024 ))" "$(( S_HWM / 1024 ))" "$a_lo" "$LO" \
    "$(awk -v b="$LO" -v a="$a_lo" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')"
done

# tput STANDBY(0|1) ROUND: ddsperf pub at max rate into the primary; sets W (msg/s) DROPS.
tput() {
  local sb=$1 dir="$OUT/tput_sb$1_$2"
  mkdir -p "$dir"
  "$RECGUARD" record -a --include-dds -o "$dir/bag/bag_0.mcap" --positions "$dir/p0" --stats "$dir/s0" > "$dir/primary.log" 2>&1 &
  local p=$!
  PIDS+=("$p")
  local s=""
  if [ "$sb" = 1 ]; then
    "$RECGUARD" record -a --include-dds -o "$dir/bag/bag_1.mcap" --standby "$dir/p0" --stats "$dir/s1" > "$dir/standby.log" 2>&1 &
    s=$!
    PIDS+=("$s")
  fi
  wait_until 20 test -s "$dir/s0" || { echo "primary did not start" >&2; exit 1; }
  # A short publisher makes the recorders subscribe; then `ddsperf sub` is the match the real
  # publisher waits for (ddsperf's minmatch counts ddsperf processes only).
  ddsperf -i "$D" -k all -Q minmatch:1 -Q initwait:1 pub size 16 > /dev/null 2>&1 || true
  wait_until 20 bash -c "\"$RG_HELPERS/helper_rec_stats\" $dir/s0 | grep -q '^topic DDSPerfRDataKS '" || { echo "no reader" >&2; exit 1; }
  [ -z "$s" ] || wait_until 20 bash -c "\"$RG_HELPERS/helper_rec_stats\" $dir/s1 | grep -q '^topic DDSPerfRDataKS '" || { echo "no standby reader" >&2; exit 1; }
  ddsperf -i "$D" -k all -D $((DUR + 4)) sub > "$dir/sub.log" 2>&1 &
  local sub=$!
  PIDS+=("$sub")
  ddsperf -i "$D" -k all -D "$DUR" -Q minmatch:1 -Q initwait:20 pub size "$SIZE" > "$dir/pub.log" 2>&1 || true
  wait "$sub" || true
  wait_until 120 bash -c "s=\$(\"$RG_HELPERS/helper_rec_stats\" $dir/s0 | awk '\$1==\"topic\" && \$2==\"DDSPerfRDataKS\" {print \$4, \$6, \$8}'); set -- \$s; [ -n \"\${1:-}\" ] && [ \"\$1\" = \$((\$2 + \$3)) ]" ||
    echo "warning: primary not drained" >&2
  W=$(( $(stats "$dir/s0" | awk '$1 == "topic" && $2 == "DDSPerfRDataKS" { print $6 }') / DUR ))
  DROPS=$(stats "$dir/s0" | awk '$1 == "topic" && $2 == "DDSPerfRDataKS" { print $8 }')
  [ -z "$s" ] || stop "$s"
  stop "$p"
  rm -rf "$dir/bag"
}

echo
echo "## Hot standby: the primary's throughput with and without it (ddsperf pub, reliable keep-all, max rate, ${SIZE} B, ${DUR} s, ${ROUNDS} alternating rounds)"
echo
echo "| round | without standby: written msg/s (drops) | with standby: written msg/s (drops) |"
echo "|---|---|---|"
offs=() ons=()
for round in $(seq 1 "$ROUNDS"); do
  tput 0 "$round"; off=$W; offd=$DROPS
  tput 1 "$round"; on=$W; ond=$DROPS
  offs+=("$off"); ons+=("$on")
  echo "| $round | $off ($offd) | $on ($ond) |"
done
median() { printf "%s\n" "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_off=$(median "${offs[@]}"); m_on=$(median "${ons[@]}")
echo
echo "Median written msg/s: without $m_off, with $m_on, ratio $(awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "%.2f", (b ? a / b : 0) }')."
