# web_lib.sh — shared by the dashboard's tests (sourced after guard_lib.sh): demo traffic on
# this test's own DDS domain and discovery tag, `recguard web` on a free loopback port, and
# small HTTP helpers. Every process started here is ended by web_cleanup (chained before
# guard_lib's cleanup).
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="web-$$-$RANDOM"
command -v curl >/dev/null || { echo "SKIP: curl missing (make deps)"; exit 77; }
WEB_PIDS=()
DEMO_PID=""
web_cleanup() {
  local rc=$? p
  for p in "${WEB_PIDS[@]:-}" $DEMO_PID; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done
  for p in "${WEB_PIDS[@]:-}" $DEMO_PID; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  set +e
  (exit $rc)
  cleanup
}
trap web_cleanup EXIT

start_demo() {
  "$RECGUARD" demo >"$T/demo.log" 2>&1 &
  DEMO_PID=$!
}

# start_web NAME ARGS...: `recguard web --listen 127.0.0.1:0 --socket $SOCK ARGS` in the
# background; sets WEB_PID and WEB (the base URL) from the line it prints once listening.
start_web() {
  local name=$1; shift
  "$RECGUARD" web --listen 127.0.0.1:0 --socket "$SOCK" "$@" >"$T/$name.out" 2>"$T/$name.err" &
  WEB_PID=$!
  WEB_PIDS+=("$WEB_PID")
  wait_for 20 "$name listening" grep -q "serving http://" "$T/$name.out"
  WEB=$(sed -n 's|.*serving \(http://[^/]*\)/.*|\1|p' "$T/$name.out")
  HOSTPORT=${WEB#http://}
}

# stop_web PID: SIGTERM must end it cleanly (exit 0; under ASan: no leak).
stop_web() {
  local rc=0
  kill -TERM "$1"
  wait "$1" || rc=$?
  [ "$rc" -eq 0 ] || fail "recguard web exited $rc after SIGTERM"
}

# code METHOD PATH [CURL ARGS...]: the HTTP status code only.
code() { local m=$1 p=$2; shift 2; curl -s -o /dev/null -w '%{http_code}' --path-as-is -X "$m" "$@" "$WEB$p"; }
# get PATH [CURL ARGS...]: the body of a GET.
get() { local p=$1; shift; curl -s --path-as-is "$@" "$WEB$p"; }
# post CMD [CURL ARGS...]: POST /api/CMD from the page's own origin.
post() { local c=$1; shift; curl -s -X POST -H "Origin: $WEB" "$@" "$WEB/api/$c"; }
web_state() { get /api/status | jq -r .state; }
web_state_is() { [ "$(web_state)" = "$1" ]; }
# topic_rate_positive TOPIC: /api/topics shows a live, non-zero rate for it.
topic_rate_positive() { get /api/topics | jq -e --arg t "$1" '.[] | select(.name == $t) | .rate_hz > 0' >/dev/null; }
