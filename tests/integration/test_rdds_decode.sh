#!/usr/bin/env bash
# What rdds hands the recorder is ROS 2 CDR an independent reader decodes: `recguard demo`'s first
# sample per topic, captured through rdds, decoded by @foxglove/rosmsg2-serialization against
# the msgs/ .msg files, matches the published values (rdds_decode.mjs).
. "$(dirname "$0")/rdds_lib.sh"
[ -d "$RG_E2E_DIR/node_modules/@foxglove/rosmsg2-serialization" ] || { echo "SKIP: e2e node modules missing (make deps)"; exit 77; }
mkdir "$TMP/dump"
"$RG_HELPERS/helper_rdds_sub" -a --dump "$TMP/dump" --timeout 60 \
  --expect /chatter=5 --expect /camera/image_raw=5 --expect /seq=5 --expect /imu=1 > "$TMP/sub.out" 2> "$TMP/sub.err" &
SUB=$!; PIDS+=($SUB)
wait_line "$TMP/sub.out" '^ready$'
"$RECGUARD" demo --count 5 --rate-scale 4 > "$TMP/demo.out" 2>&1 || fail "demo exit $?: $(cat "$TMP/demo.out")"
wait_exit $SUB 60; expect_eq "helper exit" "$WAIT_RC" 0
node "$(dirname "$0")/rdds_decode.mjs" "$TMP/dump" "$TMP/sub.out" "$RG_SOURCE_DIR/msgs" || fail "decode"
pass
