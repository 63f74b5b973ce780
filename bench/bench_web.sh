#!/usr/bin/env bash
# The dashboard server's own cost: CPU and memory of `recguard web` while it serves 0, 1 and 5
# open pages (headless chromium, each with its SSE stream and charts), next to the recorder it
# watches (built-in recorder under the daemon, `recguard demo` traffic: ~315 msg/s, ~4.7 MB/s).
# Usage: bench/bench_web.sh [SECONDS per phase, default 30]. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-30}
BIN=$PWD/build/recguard
T=$(mktemp -d)
export CYCLONEDDS_URI="file://$PWD/tests/cyclonedds.xml" ROS_DOMAIN_ID=$(( $$ % 200 + 1 )) RG_DDS_TAG="bench-web-$$"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
"$BIN" demo >"$T/demo.log" 2>&1 & PIDS+=($!)
"$BIN" daemon --output "$T/out" --socket "$T/ctl.sock" >"$T/daemon.log" 2>&1 & PIDS+=($!)
"$BIN" web --listen 127.0.0.1:0 --socket "$T/ctl.sock" >"$T/web.out" 2>"$T/web.err" & WEB_PID=$!; PIDS+=($WEB_PID)
for _ in $(seq 200); do grep -q "serving" "$T/web.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's|.*serving \(http://[^ ]*\) .*|\1|p' "$T/web.out")
for _ in $(seq 300); do [ "$("$BIN" status --json --socket "$T/ctl.sock" 2>/dev/null | jq -r .state)" = RECORDING ] && break; sleep 0.1; done
rec_pid() { "$BIN" status --json --socket "$T/ctl.sock" | jq -r .pid; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)
echo "| pages open | recguard web CPU % | web RSS MiB | web peak RSS MiB | recorder CPU % | web CPU / recorder CPU |"
echo "|---|---|---|---|---|---|"
for n in 0 1 5; do
  if [ "$n" -gt 0 ]; then
    node bench/web_pages.mjs "$URL" "$n" $((SECS + 5)) >"$T/pages.out" 2>&1 & PAGES=$!
    for _ in $(seq 600); do grep -q open "$T/pages.out" 2>/dev/null && break; sleep 0.1; done
    grep -q open "$T/pages.out" || { echo "pages did not open: $(cat "$T/pages.out")" >&2; exit 1; }
  fi
  rp=$(rec_pid)
  w0=$(ticks "$WEB_PID"); r0=$(ticks "$rp"); t0=$(date +%s%N)
  sleep "$SECS"
  w1=$(ticks "$WEB_PID"); r1=$(ticks "$rp"); t1=$(date +%s%N)
  [ "$n" -gt 0 ] && wait "$PAGES"
  awk -v n="$n" -v w=$((w1 - w0)) -v r=$((r1 - r0)) -v dt=$((t1 - t0)) -v hz="$HZ" \
      -v rss="$(kib "$WEB_PID" VmRSS)" -v hwm="$(kib "$WEB_PID" VmHWM)" 'BEGIN {
    s = dt / 1e9; wc = 100 * w / hz / s; rc = 100 * r / hz / s
    printf "| %d | %.2f | %.1f | %.1f | %.1f | %.3f |\n", n, wc, rss / 1024, hwm / 1024, rc, (rc > 0 ? wc / rc : 0) }'
done
