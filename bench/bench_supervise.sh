#!/usr/bin/env bash
# Guardian benchmark: recguard's daemon against supervisord (Debian `supervisor`) and the
# baseline design (poll every 2 s, wait 5 s between attempts), all supervising the same fake
# recorder command, in one run on one machine.
#
#   bench/bench_supervise.sh [SUPERVISE_SECONDS] [KILLS]      (defaults 600 and 20)
#   RG_BASE_BIN=/path/to/older/recguard bench/bench_supervise.sh ...
#
# 1. Restart latency: KILLS times, kill -9 the running recorder at a recorded CLOCK_REALTIME
#    timestamp; measure (a) death -> the supervisor's event (recguard: the journal's crash
#    transition ts_ns; supervisord: its "exited:" log line, ms resolution; baseline: its
#    detection timestamp) and (b) death -> the new recorder running (the new recorder's own
#    first timestamp, written by it at start). Medians and maxima printed.
# 2. Footprint: each supervisor (recguard; recguard-dds, the same daemon with DDS linked, as
#    before the binary split; supervisord) supervising one steadily writing recorder for
#    SUPERVISE_SECONDS: CPU time (the scheduler's own count of nanoseconds on a CPU,
#    /proc/PID/schedstat: utime+stime come in 10 ms ticks, too coarse for 0.02 % of a minute)
#    and peak RSS (VmHWM), with the shared libraries each one maps. CPU is counted from
#    SETTLE_S (5 s) after the start: idle cost, not the start (the daemon's exec, config, spawn
#    and first tree walk take ~10 ms, 0.017 % of a minute alone). With RG_BASE_BIN, that
#    binary's daemon (an older commit's build) runs beside the others as one more row: a
#    before/after of a change measured side by side, under the same load.
# Output: a Markdown table on stdout (docs/BENCHMARKS.md "Guardian" quotes it) and raw data in
# bench/out/supervise/.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-600}
KILLS=${2:-20}
BIN=$PWD/build/recguard
FAKE=$PWD/build/tests/helper_fake_recorder
[ -x "$BIN" ] && [ -x "$FAKE" ] || { echo "build first: make build" >&2; exit 1; }
command -v supervisord >/dev/null || { echo "supervisord missing (Debian package supervisor)" >&2; exit 1; }
R=$PWD/bench/out/supervise
rm -rf "$R"
mkdir -p "$R"
T=$(mktemp -d /tmp/rg_bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in $(pgrep -f "$T" || true); do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
wait_until() { # seconds condition... (eval'd afresh at every poll)
  local end=$(( $(date +%s) + $1 )); shift
  until eval "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.02; done
}
last_spawn_pid() { tail -n 1 "$1" 2>/dev/null | awk '{print $1}'; }
spawns() { wc -l <"$1" 2>/dev/null || echo 0; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" != Z ]; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "n/a"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m}'; }
maxv() { sort -n | tail -n 1 | awk '{printf "%.1f\n", $1}'; }
cpu_s() { awk '{printf "%.4f\n", $1/1e9}' "/proc/$1/schedstat"; }
libs() { awk '$6 ~ /\.so/ {n[$6]=1} END {print length(n)}' "/proc/$1/maps"; }
hwm_mib() { awk '/VmHWM/ {printf "%.1f\n", $2/1024}' "/proc/$1/status"; }

# kill_loop NAME SPAWNLOG: kill -9 the newest recorder KILLS times; writes NAME.kills
# ("kill_ns new_start_ns") once each replacement is up and has run for a second.
kill_loop() {
  local name=$1 log=$2 i n pid t0
  : >"$R/$name.kills"
  for i in $(seq 1 "$KILLS"); do
    n=$(spawns "$log")
    pid=$(last_spawn_pid "$log")
    wait_until 30 alive "$pid" || { echo "$name: recorder $pid not alive" >&2; return 1; }
    sleep 3 # a recorder that ran fine for a while (recguard: it recorded, so its restart is immediate)
    t0=$(now_ns)
    kill -KILL "$pid"
    wait_until 60 '[ "$(spawns "$log")" -gt "$n" ]' || { echo "$name: no restart after kill $i" >&2; return 1; }
    echo "$t0 $(tail -n 1 "$log" | awk '{print $3}')" >>"$R/$name.kills"
  done
}

echo "== recguard daemon" >&2
mkdir -p "$T/rg"
RG_SOCK=$T/rg/run/ctl.sock # run/ made 0700 by the daemon: it refuses a socket dir others may enter
"$BIN" daemon --socket "$RG_SOCK" --output "$T/rg/out" --set restart.budget_starts=0 \
  -- "$FAKE" --out '{segment}' --rate 20000 --spawn-log "$T/rg/spawns" \
  >"$R/recguard.log" 2>&1 &
RG=$!
PIDS+=("$RG")
wait_until 30 test -s "$T/rg/spawns"
kill_loop recguard "$T/rg/spawns"
# event time: the daemon's crash transitions, in order (ts_ns is the daemon's clock at handling)
jq -r 'select(.event=="transition" and .trigger=="crashed") | .ts_ns' "$T/rg/out/journal.jsonl" >"$R/recguard.events"
kill -TERM "$RG"; wait "$RG" || true

echo "== supervisord" >&2
mkdir -p "$T/sup/out"
cat >"$T/sup/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
logfile=$T/sup/supervisord.log
pidfile=$T/sup/supervisord.pid
loglevel=info
[unix_http_server]
file=$T/sup/supervisor.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:rec]
command=$FAKE --auto-out $T/sup/out --rate 20000 --spawn-log $T/sup/spawns
autorestart=true
startsecs=1
stdout_logfile=$T/sup/rec.log
redirect_stderr=true
CONF
supervisord -c "$T/sup/supervisord.conf" &
SUP=$!
PIDS+=("$SUP")
wait_until 30 test -s "$T/sup/spawns"
kill_loop supervisord "$T/sup/spawns"
# "2026-11-27 10:00:00,123 INFO exited: rec (terminated by SIGKILL; not expected)"
grep "exited: rec" "$T/sup/supervisord.log" | while read -r d t _; do
  date -d "$d ${t/,/.}" +%s%N
done >"$R/supervisord.events"
kill -TERM "$SUP"; wait "$SUP" || true

echo "== baseline (poll 2 s, wait 5 s)" >&2
mkdir -p "$T/base/out"
(
  start() { "$FAKE" --auto-out "$T/base/out" --rate 20000 --spawn-log "$T/base/spawns" >/dev/null 2>&1 & echo $!; }
  pid=$(start)
  while :; do
    sleep 2
    if ! alive "$pid"; then
      now_ns >>"$T/base/events"
      sleep 5
      pid=$(start)
    fi
  done
) &
BASE=$!
PIDS+=("$BASE")
wait_until 30 test -s "$T/base/spawns"
kill_loop baseline "$T/base/spawns"
cp "$T/base/events" "$R/baseline.events"
kill -TERM "$BASE" 2>/dev/null || true

# latency table
row() { # name
  local n=$1
  paste -d' ' "$R/$n.kills" <(tail -n "$KILLS" "$R/$n.events") >"$R/$n.joined"
  local ev new
  ev=$(awk '{printf "%.3f\n", ($3-$1)/1e6}' "$R/$n.joined")
  new=$(awk '{printf "%.3f\n", ($2-$1)/1e6}' "$R/$n.joined")
  printf "| %s | %s | %s | %s | %s |\n" "$n" "$(median <<<"$ev")" "$(maxv <<<"$ev")" \
    "$(median <<<"$new")" "$(maxv <<<"$new")"
}

echo "== footprint, $DUR s each" >&2
"$BIN" daemon --socket "$RG_SOCK" --output "$T/rg/out2" -- "$FAKE" --out '{segment}' --rate 20000 \
  >"$R/recguard-footprint.log" 2>&1 &
RG=$!
PIDS+=("$RG")
# The same daemon from recguard-dds, which links everything (DDS included) as the single binary
# did before the split: the footprint the split removed, measured in the same run.
"$PWD/build/recguard-dds" daemon --socket "$T/rg/run/ctl2.sock" --output "$T/rg/out3" --state-dir "$T/rg/state3" \
  -- "$FAKE" --out '{segment}' --rate 20000 >"$R/recguard-dds-footprint.log" 2>&1 &
RGD=$!
PIDS+=("$RGD")
cat >"$T/sup/supervisord2.conf" <<CONF
[supervisord]
nodaemon=true
logfile=$T/sup/supervisord2.log
pidfile=$T/sup/supervisord2.pid
[program:rec]
command=$FAKE --auto-out $T/sup/out --rate 20000
autorestart=true
stdout_logfile=$T/sup/rec2.log
redirect_stderr=true
CONF
supervisord -c "$T/sup/supervisord2.conf" &
SUP=$!
PIDS+=("$SUP")
BASE=""
SETTLE_S=5
if [ -n "${RG_BASE_BIN:-}" ]; then
  "$RG_BASE_BIN" daemon --socket "$T/rg/run/ctl3.sock" --output "$T/rg/out4" --state-dir "$T/rg/state4" \
    -- "$FAKE" --out '{segment}' --rate 20000 >"$R/recguard-base-footprint.log" 2>&1 &
  BASE=$!
  PIDS+=("$BASE")
fi
sleep "$SETTLE_S"
[ -z "$BASE" ] || base_cpu0=$(cpu_s "$BASE")
rg_cpu0=$(cpu_s "$RG"); sup_cpu0=$(cpu_s "$SUP"); rgd_cpu0=$(cpu_s "$RGD")
sleep "$DUR"
rg_cpu=$(awk -v a="$(cpu_s "$RG")" -v b="$rg_cpu0" 'BEGIN{printf "%.3f", a-b}')
sup_cpu=$(awk -v a="$(cpu_s "$SUP")" -v b="$sup_cpu0" 'BEGIN{printf "%.3f", a-b}')
rgd_cpu=$(awk -v a="$(cpu_s "$RGD")" -v b="$rgd_cpu0" 'BEGIN{printf "%.3f", a-b}')
rg_rss=$(hwm_mib "$RG"); sup_rss=$(hwm_mib "$SUP"); rgd_rss=$(hwm_mib "$RGD")
rg_libs=$(libs "$RG"); sup_libs=$(libs "$SUP"); rgd_libs=$(libs "$RGD")
if [ -n "$BASE" ]; then
  base_cpu=$(awk -v a="$(cpu_s "$BASE")" -v b="$base_cpu0" 'BEGIN{printf "%.3f", a-b}')
  base_rss=$(hwm_mib "$BASE"); base_libs=$(libs "$BASE")
  kill -TERM "$BASE"; wait "$BASE" || true
fi
kill -TERM "$RG" "$SUP" "$RGD"; wait "$RG" "$SUP" "$RGD" || true

{
  echo "Run: $(date -u +%FT%TZ), $(nproc) CPUs, kernel $(uname -r), supervisord $(supervisord --version),"
  echo "$KILLS kill -9 per supervisor, footprint over $DUR s. Times in ms from the kill -9."
  echo
  echo "| supervisor | death → event, median | max | death → new recorder running, median | max |"
  echo "|---|---|---|---|---|"
  row recguard
  row supervisord
  row baseline
  echo
  echo "| supervisor | CPU seconds over $DUR s | CPU % | peak RSS (VmHWM) | shared libraries mapped |"
  echo "|---|---|---|---|---|"
  echo "| recguard daemon (check every 1 s) | $rg_cpu | $(awk -v c="$rg_cpu" -v d="$DUR" 'BEGIN{printf "%.4f", 100*c/d}') | $rg_rss MiB | $rg_libs |"
  echo "| recguard-dds daemon (everything linked: the single binary before the split) | $rgd_cpu | $(awk -v c="$rgd_cpu" -v d="$DUR" 'BEGIN{printf "%.4f", 100*c/d}') | $rgd_rss MiB | $rgd_libs |"
  [ -z "$BASE" ] || echo "| recguard daemon, base ($RG_BASE_BIN) | $base_cpu | $(awk -v c="$base_cpu" -v d="$DUR" 'BEGIN{printf "%.4f", 100*c/d}') | $base_rss MiB | $base_libs |"
  echo "| supervisord | $sup_cpu | $(awk -v c="$sup_cpu" -v d="$DUR" 'BEGIN{printf "%.4f", 100*c/d}') | $sup_rss MiB | $sup_libs |"
  [ -z "$BASE" ] || echo "| ratio recguard / base | $(awk -v a="$rg_cpu" -v b="$base_cpu" 'BEGIN{printf "%.2f", a/b}') | | | |"
  echo "| ratio recguard / supervisord | $(awk -v a="$rg_cpu" -v b="$sup_cpu" 'BEGIN{printf "%.2f", a/b}') | | $(awk -v a="$rg_rss" -v b="$sup_rss" 'BEGIN{printf "%.2f", a/b}') | |"
} | tee "$R/result.md"
