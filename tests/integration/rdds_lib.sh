# Shared setup for rdds's integration tests (sourced, not a test): loopback Cyclone config, a
# domain of the test's own, a temp dir, process cleanup, and small wait/JSON helpers.
set -euo pipefail
: "${RG_HELPERS:?run through ctest}" "${RECGUARD:?run through ctest}" "${RG_SOURCE_DIR:?run through ctest}"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
# Domain ids collide between tests running at once (other builds, other worktrees): the discovery
# tag (tests/cyclonedds.xml) makes this test's participants see only each other.
export RG_DDS_TAG="rdds-$$-$RANDOM"
command -v node >/dev/null || { echo "SKIP: node missing (make deps)"; exit 77; }
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  local f
  for f in "$TMP"/*.out "$TMP"/*.err; do
    [ -s "$f" ] || continue
    echo "--- ${f##*/} (last lines):" >&2; tail -n 8 "$f" | cut -c1-400 >&2
  done
  exit 1
}

# wait_line FILE REGEX [SECONDS]: wait until FILE has a line matching REGEX.
wait_line() {
  local f=$1 re=$2 t=${3:-20} i
  for ((i = 0; i < t * 20; i++)); do
    grep -Eq -- "$re" "$f" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "--- $f:" >&2; cat "$f" >&2 || true
  fail "timed out waiting for /$re/ in $f"
}

# wait_exit PID [SECONDS]: wait for a background process to end; its status in $WAIT_RC.
wait_exit() {
  local p=$1 t=${2:-60} i
  for ((i = 0; i < t * 20; i++)); do
    if ! kill -0 "$p" 2>/dev/null; then
      WAIT_RC=0; wait "$p" || WAIT_RC=$?
      return 0
    fi
    sleep 0.05
  done
  fail "process $p did not exit within ${t}s"
}

# jget FILE EXPR: evaluate a JS expression on `j`, the last line of FILE parsed as JSON.
jget() {
  node -e 'const fs=require("fs");const l=fs.readFileSync(process.argv[1],"utf8").trim().split("\n");
const j=JSON.parse(l[l.length-1]);const t=(n)=>j.topics[n]||{count:0,by_prefix:{}};
const v=eval(process.argv[2]);console.log(typeof v==="object"?JSON.stringify(v):String(v));' "$1" "$2"
}

# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

# wait_json FILE EXPR [SECONDS]: wait until EXPR (see jget) is true on FILE (a --progress file).
wait_json() {
  local f=$1 e=$2 t=${3:-30} i
  for ((i = 0; i < t * 10; i++)); do
    [ -s "$f" ] && [ "$(jget "$f" "$e" 2>/dev/null)" = true ] && return 0
    sleep 0.1
  done
  echo "--- $f:" >&2; cat "$f" >&2 || true
  fail "timed out waiting for ($e) in $f"
}

# pass [TEXT]: every process the test started must have ended by now; then report success.
pass() {
  local left
  left=$(jobs -rp)
  [ -z "$left" ] || fail "processes still running at the end: $left"
  echo "PASS${1:+ ($1)}"
}
