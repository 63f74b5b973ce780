#!/usr/bin/env bash
# systemd integration: with NOTIFY_SOCKET and WATCHDOG_USEC set (as systemd sets them for
# Type=notify with WatchdogSec), the daemon sends READY=1, STATUS= lines and WATCHDOG=1 pings.
source "$(dirname "$0")/guard_lib.sh"

"$ABUSE" "$T/notify.sock" notify 30 >"$T/notify.txt" &
LISTEN=$!
wait_for 5 "notify socket" test -S "$T/notify.sock"
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 start_daemon -- "$FAKE" --out '{segment}'
wait_for 20 "RECORDING" state_is RECORDING
wait_for 10 "READY=1" grep -q "READY=1" "$T/notify.txt"
wait_for 10 "STATUS=RECORDING" grep -q "STATUS=RECORDING" "$T/notify.txt"
wait_for 10 "watchdog pings" '[ "$(grep -c WATCHDOG=1 "$T/notify.txt")" -ge 3 ]'
stop_daemon
grep -q "STOPPING=1" "$T/notify.txt" || fail "no STOPPING=1"
kill "$LISTEN" 2>/dev/null || true
log "PASS"
