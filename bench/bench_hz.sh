#!/usr/bin/env bash
# bench_hz.sh — the rate monitor on this machine.
#
# 1. Rate error: `ddsperf pub` at 10 Hz, 1 kHz, 10 kHz, 100 kHz (100 B samples), measured at the
#    same time by `recguard hz` (own subscription, count window 10000 like ros2 topic hz), by the
#    recorder's own estimator (`recguard record`, 4 s time window, read from its stats file) and
#    by the anchor: `ddsperf sub`'s own count of received samples over time (there is no ROS on
#    this machine, so no `ros2 topic hz` to run side by side). Errors are against the set rate and
#    against the anchor.
# 2. Monitor CPU: `recguard monitor` measuring 1 topic at 100 Hz, 100 topics at 100 Hz and 1000
#    topics at 10 Hz (helper_pub_many); CPU time from /proc/PID/schedstat over the run, per
#    100 Hz-topic equivalent (the issue's goal: < 0.1 % of a core each).
# 3. 1000 topics at 10 Hz, 100 messages each, recorded by the daemon's built-in recorder: time
#    until all are discovered, messages recorded against sent, drops and DDS loss, and whether
#    `recguard topics --json` lists all of them.
# 4. The recorder's zero-loss throughput (ddsperf pub max rate, 1 KiB, reliable keep-all):
#    default, with a monitor running (measuring 100 other topics at 10 Hz that the recorder does
#    not record), and with --no-rates (the per-sample estimator off). Three rounds interleaved,
#    median per configuration.
#
# usage: bench/bench_hz.sh [--quick]     (from the repository root, after `make build`)
#   env: RECGUARD, RG_HELPERS, DUR (seconds per rate run, 8), OUT (bench/out/hz), ROUNDS (5),
#        PARTS ("rate cpu thousand tput": which sections to run)
set -euo pipefail
cd "$(dirname "$0")/.."
RECGUARD=${RECGUARD:-$PWD/build/recguard}
RG_HELPERS=${RG_HELPERS:-$PWD/build/tests}
DUR=${DUR:-8}
OUT=${OUT:-$PWD/bench/out/hz}
RATES=${RATES:-"10 1000 10000 100000"}
ROUNDS=${ROUNDS:-5}
PARTS=${PARTS:-"rate cpu thousand tput"}
part() { [[ " $PARTS " == *" $1 "* ]]; }
if [ "${1:-}" = --quick ]; then RATES="1000"; ROUNDS=1; fi
export CYCLONEDDS_URI="file://$PWD/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="bench-hz-$$"
D=$ROS_DOMAIN_ID
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done' EXIT

stats() { "$RG_HELPERS/helper_rec_stats" "$1" 2>/dev/null; }
topic_field() { stats "$1" | awk -v t="$2" -v f="$3" '$1 == "topic" && $2 == t { for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'; }
ntopics() { stats "$1" | grep -c '^topic ' || true; }
wait_until() { # wait_until SECONDS CMD...
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.1; done
}
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'; } # all threads
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%+.2f %%", 100 * (a - b) / b }'; }
# The anchor: ddsperf sub's received total over its report times, first and last full seconds
# left out (partial: the publisher starting and stopping).
sub_rate() {
  awk '/ size [0-9]+ total / { for (i = 1; i <= NF; i++) if ($i == "total") { t[n] = $2; c[n] = $(i + 1); n++ } }
       END { a = 1; b = n - 2; while (b > a && c[b] == c[b - 1]) b--; if (b <= a) { print 0; exit }
             printf "%.3f", (c[b] - c[a]) / (t[b] - t[a]) }' "$1"
}

if part rate; then
echo "## Rate monitor: rate error (ddsperf pub, 100 B, ${DUR} s per rate)"
echo
echo "| set rate | anchor: ddsperf sub received/s | recguard hz (own reader, window 10000) | error vs set | error vs anchor | recorder's estimator (4 s window) | error vs set | error vs anchor |"
echo "|---|---|---|---|---|---|---|---|"
for r in $RATES; do
  dir="$OUT/rate_$r"; mkdir -p "$dir"
  "$RECGUARD" record -a --include-dds -o "$dir/bag" > "$dir/rec.log" 2>&1 &
  rec=$!; PIDS+=($rec)
  wait_until 20 test -s "$dir/bag/recorder.stats"
  ddsperf -i "$D" -D $((DUR + 6)) sub > "$dir/sub.log" 2>&1 &
  PIDS+=($!)
  "$RECGUARD" hz DDSPerfRDataKS --json > "$dir/hz.out" 2> "$dir/hz.err" &
  hz=$!; PIDS+=($hz)
  sleep 1
  ddsperf -i "$D" -D "$DUR" -Q minmatch:1 -Q initwait:20 pub "${r}Hz" size 100 > "$dir/pub.log" 2>&1 &
  pub=$!; PIDS+=($pub)
  wait_until 30 test -n "$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS rate_hz)" || true
  sleep $((DUR - 1))
  est=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS rate_hz)
  h=$(tail -n 1 "$dir/hz.out" | jq -r .rate_hz 2>/dev/null || echo 0)
  wait "$pub" || true
  sleep 2
  kill -INT "$hz" "$rec"; wait "$hz" "$rec" || true
  a=$(sub_rate "$dir/sub.log")
  rm -f "$dir"/bag/*.mcap
  printf "| %s Hz | %s | %.3f | %s | %s | %.3f | %s | %s |\n" "$r" "$a" "${h:-0}" "$(pct "${h:-0}" "$r")" \
    "$(pct "${h:-0}" "$a")" "${est:-0}" "$(pct "${est:-0}" "$r")" "$(pct "${est:-0}" "$a")"
done

fi

if part cpu; then
echo
echo "## Rate monitor: \`recguard monitor\` CPU"
echo
echo "| topics x rate | messages/s | monitor CPU (% of a core) | per 100 Hz topic | mean measured rate | publisher's achieved rate |"
echo "|---|---|---|---|---|---|"
for load in "1 100" "100 100" "1000 10"; do
  set -- $load
  n=$1 r=$2 dir="$OUT/monitor_${n}x$r"; mkdir -p "$dir"
  "$RECGUARD" monitor --stats "$dir/mon.stats" > "$dir/mon.log" 2>&1 &
  mon=$!; PIDS+=($mon)
  "$RG_HELPERS/helper_pub_many" --topics "$n" --rate "$r" --duration $((DUR + 40)) > "$dir/pub.log" 2>&1 &
  pub=$!; PIDS+=($pub)
  wait_until 60 bash -c "[ \$(\"$RG_HELPERS/helper_rec_stats\" $dir/mon.stats | awk '\$1==\"topic\" && \$20 > 0' | wc -l) -ge $n ]" || echo "warning: not all $n topics measured" >&2
  sleep 1
  c0=$(cpu_ns "$mon"); t0=$(date +%s%N)
  sleep "$DUR"
  c1=$(cpu_ns "$mon"); t1=$(date +%s%N)
  mean=$(stats "$dir/mon.stats" | awk '$1 == "topic" && $2 ~ /^\/bench\// { s += $20; k++ } END { if (k) printf "%.2f", s / k; else print 0 }')
  kill -TERM "$pub" "$mon"; wait "$pub" "$mon" || true
  got=$(awk -v n="$n" '/^sent/ { printf "%.2f", $5 / n / $8 }' "$dir/pub.log")
  awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v n="$n" -v r="$r" -v m="$mean" -v g="$got" 'BEGIN {
    p = 100 * c / t; printf "| %d x %d Hz | %d | %.3f %% | %.4f %% | %s Hz | %s Hz |\n", n, r, n * r, p, p / (n * r / 100), m, g }'
done

fi

if part thousand; then
echo
echo "## Rate monitor: 1000 topics at 10 Hz recorded by the daemon"
echo
dir="$OUT/thousand"; mkdir -p "$dir"
sock="$dir/ctl.sock"
"$RECGUARD" daemon --socket "$sock" --output "$dir/out" > "$dir/daemon.log" 2>&1 &
dmn=$!; PIDS+=($dmn)
wait_until 30 bash -c "\"$RECGUARD\" status --json --socket $sock | grep -q '\"state\": \"RECORDING\"'"
# The publisher waits until the recorder's reader matched each of its 1000 writers: that wait,
# from the last writer created to the last match, is the time to discover them all.
"$RG_HELPERS/helper_pub_many" --topics 1000 --rate 10 --count 100 --min-match 1 > "$dir/pub.log" 2>&1 &
pub=$!; PIDS+=($pub)
wait_until 180 grep -q "^matched after" "$dir/pub.log" || true
disc=$(awk '/^matched after/ { print $3 }' "$dir/pub.log")
found=$(stats "$dir/out/recorder.stats" | grep -c '^topic /bench/' || true)
wait "$pub" || true
wait_until 60 bash -c "[ \$(\"$RG_HELPERS/helper_rec_stats\" $dir/out/recorder.stats | awk '\$1==\"topic\" && \$2 ~ /^\\/bench\\// { s += \$6 + \$8 } END { print s + 0 }') -ge 100000 ]" || true
"$RECGUARD" topics --json --socket "$sock" > "$dir/topics.json"
listed=$(jq '[.[] | select(.name | startswith("/bench/")) | select(.recorded)] | length' "$dir/topics.json")
read -r msgs written drops lost <<<"$(stats "$dir/out/recorder.stats" | awk '$1 == "topic" && $2 ~ /^\/bench\// { m += $4; w += $6; d += $8; l += $12 + $14 } END { print m + 0, w + 0, d + 0, l + 0 }')"
sent=$(awk '/^sent/ { print $5 }' "$dir/pub.log")
kill -TERM "$dmn"; wait "$dmn" || true
echo "| topics | discovered | time to discover all | sent | received | written | queue drops | DDS lost+rejected | rows in \`topics --json\` (recorded) |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v f="$found" -v t="${disc:-0}" -v s="$sent" -v m="$msgs" -v w="$written" -v d="$drops" -v l="$lost" -v x="$listed" \
  'BEGIN { printf "| 1000 x 10 Hz, 100 each | %d | %.2f s | %s | %s | %s | %s | %s | %s |\n", f, t, s, m, w, d, l, x }'
rm -rf "$dir/out"/*/*.mcap
fi

part tput || exit 0
echo
echo "## Rate monitor: recorder zero-loss throughput with the monitor and the estimator"
echo
tput_run() { # tput_run NAME REC_ARGS MONITOR(0/1) -> prints msg/s written with zero loss, or "drops N"
  local name=$1 args=$2 withmon=$3 dir="$OUT/tput_$1_$RANDOM"; mkdir -p "$dir"
  "$RECGUARD" record -a --include-dds --exclude '^/bench/' $args -o "$dir/bag" > "$dir/rec.log" 2>&1 &
  local rec=$!; PIDS+=($rec)
  wait_until 20 test -s "$dir/bag/recorder.stats"
  "$RG_HELPERS/helper_pub_many" --topics 100 --rate 10 --duration 60 > "$dir/many.log" 2>&1 &
  local many=$!; PIDS+=($many)
  local mon=""
  if [ "$withmon" = 1 ]; then
    "$RECGUARD" monitor --stats "$dir/mon.stats" --exclude '^DDSPerf' > "$dir/mon.log" 2>&1 &
    mon=$!; PIDS+=($mon)
    wait_until 30 bash -c "[ \$(\"$RG_HELPERS/helper_rec_stats\" $dir/mon.stats | grep -c '^topic /bench/') -ge 100 ]" || true
  fi
  ddsperf -i "$D" -k all -Q minmatch:1 -Q initwait:1 pub size 16 > /dev/null 2>&1 || true
  wait_until 20 bash -c "\"$RG_HELPERS/helper_rec_stats\" $dir/bag/recorder.stats | grep -q '^topic DDSPerfRDataKS '"
  local w0; w0=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS written)
  # ddsperf pub needs a ddsperf peer to start (minmatch counts ddsperf participants)
  ddsperf -i "$D" -k all -D 8 sub > "$dir/sub.log" 2>&1 &
  local sub=$!; PIDS+=($sub)
  ddsperf -i "$D" -k all -D 3 -Q minmatch:1 -Q initwait:20 pub size 1024 > "$dir/pub.log" 2>&1 || true
  wait_until 60 bash -c "s=\$(\"$RG_HELPERS/helper_rec_stats\" $dir/bag/recorder.stats | awk '\$2==\"DDSPerfRDataKS\" {print \$4, \$6, \$8}'); set -- \$s; [ \"\$1\" = \$((\$2 + \$3)) ]" || true
  local w1 d; w1=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS written)
  d=$(topic_field "$dir/bag/recorder.stats" DDSPerfRDataKS drops)
  kill -INT "$rec"; kill -TERM "$many" $mon; wait "$rec" "$many" $mon "$sub" || true
  rm -f "$dir"/bag/*.mcap
  if [ "${d:-0}" -gt 0 ]; then echo "drops $d"; else echo $(( (w1 - w0) / 3 )); fi
}
declare -A R
for round in $(seq "$ROUNDS"); do
  R[base]+="$(tput_run base "" 0) "
  R[mon]+="$(tput_run mon "" 1) "
  R[norate]+="$(tput_run norate --no-rates 0) "
done
median() { tr ' ' '\n' | grep -E '^[0-9]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
b=$(median <<<"${R[base]}"); m=$(median <<<"${R[mon]}"); n=$(median <<<"${R[norate]}")
echo "| configuration | runs (msg/s written, zero loss) | median | ratio |"
echo "|---|---|---|---|"
echo "| recorder (estimator on), no monitor | ${R[base]}| $b | 1.00 |"
awk -v m="$m" -v b="$b" -v r="${R[mon]}" 'BEGIN { printf "| recorder + monitor (100 other topics at 10 Hz) | %s| %d | %.2f (monitor on / off) |\n", r, m, b ? m / b : 0 }'
awk -v n="$n" -v b="$b" -v r="${R[norate]}" 'BEGIN { printf "| recorder --no-rates (estimator off) | %s| %d | %.2f (estimator on / off) |\n", r, n, n ? b / n : 0 }'
