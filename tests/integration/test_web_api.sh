#!/usr/bin/env bash
# The dashboard server's API against a real daemon, the built-in recorder and `recguard demo`
# traffic: status, topics with the recorder's figures (and the monitor's for a hidden topic the
# recorder leaves out, and an `expect:` breach marked on its topic), bags and downloads, SSE,
# start/split/pause/resume/stop, /metrics
# parsed by promtool (Prometheus's own parser); the Host, Origin and token rules; path
# traversal refused in every form; reconnection after the daemon restarts.
source "$(dirname "$0")/guard_lib.sh"
source "$(dirname "$0")/web_lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool missing (make deps: Debian's prometheus)"; exit 77; }

start_demo
# /chatter cannot meet this rate: a breach from the first full rate window on.
cat > "$T/recguard.yaml" <<'EOF'
monitor: {enabled: true}
expect:
  - topic: /chatter
    min_rate: 100000
EOF
start_daemon --config "$T/recguard.yaml"
wait_for 30 "RECORDING" state_is RECORDING
"$RG_HELPERS/helper_rdds_pub" --topic rt/_hidden --rate 20 --duration 300 >"$T/hidden.out" 2>&1 &
HIDDEN_PID=$!
WEB_PIDS+=("$HIDDEN_PID")
start_web web

# --- reads
wait_for 20 "/api/status RECORDING" web_state_is RECORDING
[ "$(get /api/status | jq -r .output)" = "$OUT" ] || fail "status.output: $(get /api/status | jq -r .output)"
wait_for 30 "a live rate for /chatter" topic_rate_positive /chatter
get /api/topics | jq -e '.[0] | has("name") and has("type") and has("publishers") and has("rate_hz") and
  has("bandwidth_bps") and has("age_s") and has("status") and has("recorded") and has("drops") and has("lost")' \
  >/dev/null || fail "topic fields: $(get /api/topics | jq -c '.[0]')"
# the recorder's own figures: publishers and loss counters are numbers, not unknowns
get /api/topics | jq -e '.[] | select(.name == "/chatter") | (.publishers >= 1) and (.recorded == true) and
  (.lost | type == "number") and (.rejected | type == "number") and (.status | type == "string")' \
  >/dev/null || fail "/chatter figures: $(get /api/topics | jq -c '.[] | select(.name == "/chatter")')"
hidden_measured() { get /api/topics | jq -e '.[] | select(.name == "/_hidden") | (.recorded == false) and (.rate_hz > 0)' >/dev/null; }
chatter_breach() {
  get /api/topics | jq -e '.[] | select(.name == "/chatter") | .expect_breach and
    (.breach | test("^/chatter .*expected >= 100000 Hz")) and .expected_rate_hz == 100000' >/dev/null
}
wait_for 30 "the monitor's figures for the hidden topic" hidden_measured
wait_for 30 "the expect: breach on /chatter" chatter_breach
# Bodies go to a file before grep: grep -q quits at the first match, and under pipefail the
# writer's SIGPIPE would fail the check at random.
get / >"$T/page.html"
grep -q '<title>recguard</title>' "$T/page.html" || fail "the page"
[ "$(code GET /assets/app.js)" = 200 ] || fail "app.js"
[ "$(code GET /assets/uPlot.iife.min.js)" = 200 ] || fail "uPlot missing from the assets (make deps)"

# --- /metrics through Prometheus's parser, and the names the alert rules rely on
metrics_have() { get /metrics >"$T/m.txt" && grep -q "$1" "$T/m.txt"; }
wait_for 20 "metrics with topic rates" 'metrics_have "^recguard_topic_rate_hz{topic=\"/chatter\"}"'
get /metrics >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 || { cat "$T/promtool.out"; fail "promtool check metrics"; }
for m in recguard_daemon_up recguard_recorder_up 'recguard_state{state="RECORDING"} 1' recguard_restarts_total \
         recguard_messages_total recguard_bytes_total 'recguard_topic_drops_total{topic="/chatter"}' \
         recguard_disk_free_bytes recguard_disk_time_to_full_seconds recguard_recorder_cpu_seconds_total \
         recguard_recorder_memory_bytes recguard_health 'recguard_topic_lost_total{topic="/chatter"}' \
         'recguard_topic_rejected_total{topic="/chatter"}' 'recguard_topic_expect_breach{topic="/chatter"} 1' \
         'recguard_topic_expected_rate_hz{topic="/chatter"} 100000'; do
  grep -q "^$m" "$T/metrics.txt" || fail "metric $m missing"
done
grep -q '^# TYPE recguard_messages_total counter' "$T/metrics.txt" || fail "messages_total type"

# --- SSE: live figures and journal events on one stream
curl -s -N --max-time 4 "$WEB/api/events" >"$T/sse.txt" || true
grep -q '^event: live$' "$T/sse.txt" || fail "no live event on the stream"
grep -q '^event: journal$' "$T/sse.txt" || fail "no journal event on the stream"
# opened mid-session: the session's earlier events (from its journal) come first
grep -q '"event":"session_start"' "$T/sse.txt" || fail "the session journal was not replayed"
# --max-time cuts the stream wherever it is: only events that ended (a data line followed by the
# blank line that closes an event) are checked. awk, not head: head quits early, and the writer's
# SIGPIPE would fail the pipeline (pipefail) with no message.
sed -n '/^data: /{h;n;/^$/{x;s/^data: //;p}}' "$T/sse.txt" | awk 'NR <= 5' > "$T/sse_data.txt"
[ -s "$T/sse_data.txt" ] || fail "no complete SSE event"
jq -e . "$T/sse_data.txt" >/dev/null || fail "SSE data is not JSON: $(head -c 300 "$T/sse_data.txt")"

# --- state changes: POST + matching Origin only
[ "$(code GET /api/split)" = 405 ] || fail "GET /api/split not refused"
[ "$(code POST /api/split)" = 403 ] || fail "POST without Origin not refused"
[ "$(code POST /api/split -H 'Origin: http://evil.example')" = 403 ] || fail "foreign Origin not refused"
[ "$(code POST /api/split -H 'Origin: null')" = 403 ] || fail "Origin null not refused"
[ "$(jst .segment_index)" = 0 ] || fail "segment index before split"
post split | jq -e .ok >/dev/null || fail "split: $(post split)"
wait_for 30 "segment 1 after split" '[ "$(get /api/status | jq -r .segment_index)" = 1 ] && web_state_is RECORDING'
# pause/resume: the same rules; the status says paused, then not
[ "$(code POST /api/pause)" = 403 ] || fail "POST /api/pause without Origin not refused"
[ "$(code GET /api/resume)" = 405 ] || fail "GET /api/resume not refused"
post pause >"$T/pause.json"
jq -e '.ok and .paused' "$T/pause.json" >/dev/null || fail "pause: $(cat "$T/pause.json")"
wait_for 30 "paused in /api/status" '[ "$(get /api/status | jq -r .paused)" = true ]'
post resume >"$T/resume.json"
jq -e '.ok and (.paused | not)' "$T/resume.json" >/dev/null || fail "resume: $(cat "$T/resume.json")"
wait_for 30 "resumed in /api/status" '[ "$(get /api/status | jq -r .paused)" = false ]'
post stop | jq -e .ok >/dev/null || fail "stop"
wait_for 40 "IDLE after stop" web_state_is IDLE
post stop | jq -e '.ok == false and (.error | length > 0)' >/dev/null || fail "stop while IDLE should be refused"
[ "$(code POST /api/stop -H "Origin: $WEB")" = 409 ] || fail "refused command is not 409"
post start | jq -e .ok >/dev/null || fail "start"
wait_for 30 "RECORDING after start" web_state_is RECORDING

# --- bags: listing, download, traversal
wait_for 20 "a finished bag listed" 'get /api/bags | jq -e "[.[] | select(.indexed and .messages > 0)] | length >= 1"'
bag=$(get /api/bags | jq -r '[.[] | select(.indexed)][0].name')
file=$(get /api/bags | jq -r '[.[] | select(.indexed)][0].files | map(select(endswith(".mcap")))[0]')
get "/bags/$bag/$file" -o "$T/dl.mcap"
cmp -s "$T/dl.mcap" "$OUT/$bag/$file" || fail "download differs from $OUT/$bag/$file"
get /api/bags | jq -e --arg b "$bag" '.[] | select(.name == $b) | .segments >= 1 and .duration_s > 0 and
  (.topics["/chatter"] > 0) and (.recovered | type == "boolean")' >/dev/null || fail "bag fields"
ln -s /etc/passwd "$OUT/$bag/passwd"
ln -s /etc "$OUT/etclink"
echo secret >"$T/secret.txt"
for p in "/bags/$bag/passwd" "/bags/etclink/passwd" "/bags/$bag/../../secret.txt" "/bags/../secret.txt" \
         "/bags/$bag/..%2F..%2Fsecret.txt" "/assets/..%2F..%2F..%2Fetc%2Fpasswd" "/assets/../recguard" \
         "/bags/$bag/%2e%2e" "/bags/.%2e/secret.txt" "/assets/%2e%2e%2fapp.js" "/bags/$bag/$file/x"; do
  c=$(code GET "$p")
  [ "$c" = 404 ] || fail "$p answered $c, want 404"
done
get "/bags/$bag/passwd" >"$T/passwd.out"; grep -q root "$T/passwd.out" && fail "symlink followed"

# --- DNS rebinding: a foreign Host is refused when there is no token
[ "$(code GET /api/status -H 'Host: evil.example:8088')" = 403 ] || fail "foreign Host not refused"

# --- token: required for the API and /metrics, from a header or ?token= (EventSource)
TOK=0123456789abcdef0123456789abcdef
printf '%s\n' "$TOK" >"$T/token"; chmod 600 "$T/token"
main_web=$WEB main_pid=$WEB_PID
start_web webtok --token-file "$T/token"
[ "$(code GET /api/status)" = 401 ] || fail "no token accepted"
[ "$(code GET /metrics)" = 401 ] || fail "/metrics without token accepted"
[ "$(code GET /api/status -H 'Authorization: Bearer wrongwrongwrongwrong')" = 401 ] || fail "wrong token accepted"
[ "$(code GET /api/status -H "Authorization: Bearer $TOK")" = 200 ] || fail "Bearer token refused"
[ "$(code GET "/api/status?token=$TOK")" = 200 ] || fail "?token= refused"
[ "$(code GET / )" = 200 ] || fail "the page itself needs no token"
[ "$(code POST /api/split -H "X-Recguard-Token: $TOK")" = 403 ] || fail "token without Origin accepted"
[ "$(code POST "/api/split?token=$TOK" -H "Origin: $WEB")" = 401 ] || fail "POST with ?token= accepted"
[ "$(code POST /api/split -H "Origin: $WEB" -H "X-Recguard-Token: $TOK")" = 200 ] || fail "POST with token refused"
stop_web "$WEB_PID"
chmod 644 "$T/token"
"$RECGUARD" web --listen 127.0.0.1:0 --socket "$SOCK" --token-file "$T/token" 2>"$T/perm.err" && fail "world-readable token accepted"
grep -q "readable by others" "$T/perm.err" || fail "token mode message: $(cat "$T/perm.err")"
rc=0; "$RECGUARD" web --listen 0.0.0.0:0 --socket "$SOCK" 2>"$T/lan.err" || rc=$?
[ "$rc" = 1 ] && grep -q "token-file is required" "$T/lan.err" || fail "non-loopback without token: rc $rc $(cat "$T/lan.err")"
WEB=$main_web WEB_PID=$main_pid

# --- the daemon goes away (SIGQUIT: recorder left running) and comes back: the server reconnects
wait_for 30 "RECORDING before daemon restart" web_state_is RECORDING
kill -QUIT "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
wait_for 20 "/api/status 503 with the daemon gone" '[ "$(code GET /api/status)" = 503 ]'
metrics_have '^recguard_daemon_up 0$' || fail "daemon_up not 0"
start_daemon
wait_for 30 "reconnected, recorder adopted" '[ "$(get /api/status | jq -r .adopted)" = true ]'
metrics_have '^recguard_daemon_up 1$' || fail "daemon_up not 1 after reconnect"
curl -s -N --max-time 3 "$WEB/api/events" >"$T/sse2.txt" || true
grep -q '"event":"daemon_unreachable"' "$T/sse2.txt" || fail "no daemon_unreachable event"

stop_web "$WEB_PID"
kill -TERM "$HIDDEN_PID"; wait "$HIDDEN_PID" 2>/dev/null || true
WEB_PIDS=()
stop_daemon
log "PASS"
