#!/usr/bin/env bash
# `web:` in the config: the daemon runs the dashboard server as a helper child at low priority
# (nice 10). Killing it leaves recording untouched and the daemon starts it again; the
# daemon's exit stops it, and so does the daemon's SIGKILL (no orphan keeps the port: the next
# daemon adopts the recorder and serves again).
source "$(dirname "$0")/guard_lib.sh"
source "$(dirname "$0")/web_lib.sh"
served() { grep -c "serving http://" "$OUT/web.log" 2>/dev/null || echo 0; }
web_url() { sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$OUT/web.log" | tail -n 1; }
web_child() { pgrep -f "recguard web --listen 127.0.0.1:0 --socket $SOCK( |\$)" | head -n 1; }

start_daemon --set web.listen=127.0.0.1:0 -- "$FAKE" --out '{segment}' --rate 2000 --spawn-log "$SPAWNS"
wait_recorder 1
wait_for 20 "the dashboard serving" '[ "$(served)" -ge 1 ]'
WEB=$(web_url)
wait_for 20 "/api/status RECORDING through the helper" web_state_is RECORDING
pid=$(web_child)
[ -n "$pid" ] || fail "no web helper process"
[ "$(awk '{print $19}' "/proc/$pid/stat")" = 10 ] || fail "web helper nice $(awk '{print $19}' "/proc/$pid/stat"), want 10"
rec=$(recorder_pid)

kill -KILL "$pid"
wait_for 20 "the dashboard started again" '[ "$(served)" -ge 2 ]'
WEB=$(web_url)
wait_for 20 "/api/status from the new helper" web_state_is RECORDING
[ "$(recorder_pid)" = "$rec" ] && state_is RECORDING || fail "recording disturbed by the helper's death"
[ "$(spawn_count)" = 1 ] || fail "the recorder was restarted"

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
wait_for 10 "the helper ended with the SIGKILLed daemon" '[ -z "$(web_child)" ]'
kill -0 "$rec" || fail "the recorder died with the daemon"
start_daemon --set web.listen=127.0.0.1:0 -- "$FAKE" --out '{segment}' --rate 2000 --spawn-log "$SPAWNS"
wait_for 20 "the next daemon's dashboard serving" '[ "$(served)" -ge 3 ]'
WEB=$(web_url)
wait_for 20 "/api/status RECORDING from the next daemon's helper" web_state_is RECORDING
[ "$(recorder_pid)" = "$rec" ] || fail "the recorder was not adopted"

stop_daemon
wait_for 10 "the helper stopped with the daemon" '[ -z "$(web_child)" ]'
log "PASS"
