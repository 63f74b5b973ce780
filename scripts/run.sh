#!/usr/bin/env bash
# The README's run command, after deps and build: start a guarded recording of demo traffic in
# the background and show its status. Idempotent: with a daemon already answering on the
# socket, it only shows the status.
#   daemon:  build/recguard daemon --output ./recordings   (log: ./recordings/daemon.log)
#   traffic: build/recguard demo                           (log: ./recordings/demo.log)
#   page:    build/recguard web  -> http://127.0.0.1:8088/  (log: ./recordings/web.log)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/recguard
OUT=./recordings
mkdir -p "$OUT"

WEB_URL=http://127.0.0.1:8088/
# The dashboard: its own process, a client of the daemon (it reconnects when the daemon
# restarts), so it may start first. Its assets are in build/web: no network needed.
start_web() {
  if ! curl -s -o /dev/null "$WEB_URL" 2>/dev/null; then
    setsid nohup "$PWD/$BIN" web >>"$OUT/web.log" 2>&1 </dev/null &
  fi
}

if "$BIN" status >/dev/null 2>&1; then
  start_web
  echo "recguard: a daemon is already running (dashboard: $WEB_URL):"
  exec "$BIN" status
fi
start_web

# setsid + nohup: the daemon and the demo publisher outlive this script and its terminal.
if ! pgrep -f "$PWD/$BIN demo" >/dev/null 2>&1; then
  setsid nohup "$PWD/$BIN" demo >"$OUT/demo.log" 2>&1 </dev/null &
fi
setsid nohup "$PWD/$BIN" daemon --output "$OUT" >>"$OUT/daemon.log" 2>&1 </dev/null &
daemon_pid=$!

# Bounded wait for RECORDING (or a verdict that it cannot get there).
state=""
for _ in $(seq 1 150); do
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    echo "recguard: the daemon exited; see $OUT/daemon.log:" >&2
    tail -n 20 "$OUT/daemon.log" >&2
    exit 1
  fi
  state=$("$BIN" status --json 2>/dev/null | sed -n 's/^  "state": "\([A-Z]*\)".*/\1/p' || true)
  case "$state" in RECORDING|ERROR) break ;; esac
  sleep 0.2
done
"$BIN" status || true
echo
if [ "$state" != RECORDING ]; then
  echo "recguard: not recording yet (state ${state:-unknown}); follow it with: $BIN watch" >&2
fi
echo "Recording to $OUT/ (daemon log: $OUT/daemon.log)."
echo "  Dashboard: $WEB_URL (open it in a browser; from another machine: ssh -L 8088:127.0.0.1:8088 this-host)"
echo "  $BIN status | $BIN watch | $BIN split"
echo "  $BIN stop        stop recording (the daemon stays; $BIN start resumes)"
echo "  kill $daemon_pid      stop recording and the daemon (SIGTERM: graceful)"
[ "$state" = RECORDING ]
