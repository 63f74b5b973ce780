#!/usr/bin/env bash
# `web:` in the config: the daemon runs the dashboard server as a helper child at low priority
# (nice 10). Killing it leaves recording untouched and the daemon starts it again; the
# daemon's exit stops it.
source "$(dirname "$0")/guard_lib.sh"
source "$(dirname "$0")/web_lib.sh"
served() { grep -c "serving http://" "$OUT/web.log" 2>/dev/null || echo 0; }
web_url() { sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$OUT/web.log" | tail -n 1; }
web_child() { pgrep -f "recguard web --listen 127.0.0.1:0 --socket $SOCK" | head -n 1; }

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

stop_daemon
wait_for 10 "the helper stopped with the daemon" '[ -z "$(web_child)" ]'
log "PASS"
