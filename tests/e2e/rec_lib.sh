# rec_lib.sh — shared setup for the recorder's e2e tests (sourced, not a test itself).
# Gives each test: a temp dir ($T), its own ROS_DOMAIN_ID, the loopback Cyclone config, a list
# of started processes that the EXIT trap kills, and bounded waits on conditions.
set -euo pipefail
: "${RECGUARD:?}" "${RG_HELPERS:?}" "${RG_SOURCE_DIR:?}" "${RG_E2E_DIR:?}"
T=$(mktemp -d)
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
# A domain of our own (1..200) so e2e tests can run in parallel.
export ROS_DOMAIN_ID=$(( ($$ + ${RG_DOMAIN_SALT:-0}) % 200 + 1 ))
# Isolates this test's participants even when another test lands on the same domain id.
export RG_DDS_TAG="rec-$$-$RANDOM"
PIDS=()
rec_cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  if [ -n "${REC_KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap rec_cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need_node() {
  [ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] ||
    fail "tests/e2e/node_modules missing: run scripts/deps.sh (npm ci)"
}
# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds; fail after SECONDS.
wait_for() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.05
  done
}
stats() { "$RG_HELPERS/helper_rec_stats" "$1"; }
# stat_field FILE KEY: one total from the stats file.
stat_field() { stats "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
# topic_field FILE TOPIC FIELD: messages|written|drops|bytes of one topic.
topic_field() { stats "$1" | awk -v t="$2" -v f="$3" '$1 == "topic" && $2 == t { for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'; }
# awk reads to the end: grep -q would quit early and SIGPIPE the writer (a pipefail failure).
topic_known() { stats "$1" | awk -v t="$2" '$1 == "topic" && $2 == t { f = 1 } END { exit !f }'; }
# topic_ge FILE TOPIC FIELD N: the topic's counter has reached N (for wait_for).
topic_ge() { local v; v=$(topic_field "$1" "$2" "$3"); [ -n "$v" ] && [ "$v" -ge "$4" ]; }
# stat_ge FILE KEY N: a total has reached N (for wait_for).
stat_ge() { local v; v=$(stat_field "$1" "$2"); [ -n "$v" ] && [ "$v" -ge "$3" ]; }
# start_recorder LOG ARGS...: run `recguard record ARGS` in the background; REC_PID is set.
start_recorder() {
  local log=$1; shift
  "$RECGUARD" record "$@" > "$log" 2>&1 &
  REC_PID=$!
  PIDS+=("$REC_PID")
}
# stop_recorder: SIGINT and wait (bounded); fails unless it exits 0.
stop_recorder() {
  kill -INT "$REC_PID"
  local i
  for i in $(seq 1 600); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$REC_PID" 2>/dev/null && fail "recorder did not stop within 30 s"
  local rc=0
  wait "$REC_PID" || rc=$?
  [ "$rc" -eq 0 ] || fail "recorder exited $rc"
}
# shellcheck source=node_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/node_lib.sh"
validate() { node_e2e validate_mcap.mjs "$@"; }
rec_seq() { node_e2e rec_seq.mjs "$@"; }
# json FILE EXPR: evaluate a JS expression over the parsed JSON in FILE (variable j).
json() { timeout 45 node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = eval(process.argv[2]); console.log(typeof v === "object" ? JSON.stringify(v) : v)' "$1" "$2"; }
