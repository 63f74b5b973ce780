#!/usr/bin/env bash
# The dashboard in Debian's chromium (playwright-core) against a real daemon, the built-in
# recorder and `recguard demo`: see web_browser.mjs. Screenshots are kept in
# $RG_ARTIFACTS/web_browser/ (build/test-artifacts/). Skips (77) only when chromium cannot run.
source "$RG_SOURCE_DIR/tests/integration/guard_lib.sh"
source "$RG_SOURCE_DIR/tests/integration/web_lib.sh"
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || { echo "SKIP: /usr/bin/chromium missing (make deps)"; exit 77; }
[ -d "$RG_E2E_DIR/node_modules/playwright-core" ] || fail "tests/e2e/node_modules/playwright-core missing: run make deps"
ART="${RG_ARTIFACTS:-$T}/web_browser"
rm -rf "$ART"

start_demo
# /chatter cannot meet this rate: its row must show the expect: breach.
cat > "$T/recguard.yaml" <<'EOF'
expect:
  - topic: /chatter
    min_rate: 100000
EOF
start_daemon --config "$T/recguard.yaml"
wait_for 30 "RECORDING" state_is RECORDING
start_web web
main_web=$WEB main_pid=$WEB_PID
TOK=browser-token-0123456789abcdef
printf '%s\n' "$TOK" >"$T/token"; chmod 600 "$T/token"
start_web webtok --token-file "$T/token"
tok_web=$WEB tok_pid=$WEB_PID
rc=0
(cd "$RG_E2E_DIR" && node web_browser.mjs "$main_web/" "$ART" "$tok_web/" "$TOK") || rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || fail "browser test (screenshots in $ART)"
for f in dashboard stopped recovered phone token; do [ -s "$ART/$f.png" ] || fail "screenshot $f.png missing"; done
stop_web "$main_pid"
stop_web "$tok_pid"
WEB_PIDS=()
stop_daemon
log "PASS (screenshots in $ART)"
