# node_lib.sh — node_e2e, shared by the e2e tests (rec_lib.sh) and the chaos suite (sourced,
# not a test itself). Needs RG_E2E_DIR and T (a temp dir).
#
# node_e2e ARGS...: node in tests/e2e, bounded by NODE_E2E_TIMEOUT seconds (45 unless set).
# Node 20 here has been seen asleep on a futex at exit after printing its result (a
# load-dependent hang): a run that does not end in time is run once more, and only that run's
# output counts.
node_e2e() {
  local rc=0 limit=${NODE_E2E_TIMEOUT:-45} out
  out=$(mktemp "$T/node.XXXXXX")
  (cd "$RG_E2E_DIR" && timeout "$limit" node "$@") >"$out" || rc=$?
  if [ "$rc" = 124 ]; then
    echo "note: node $1 did not end within $limit s; running it again" >&2
    rc=0
    (cd "$RG_E2E_DIR" && timeout "$limit" node "$@") >"$out" || rc=$?
  fi
  cat "$out"
  rm -f "$out"
  return "$rc"
}
