#!/usr/bin/env bash
# The three executables (docs/ARCHITECTURE.md "Binary layout"): the running daemon maps no DDS,
# iceoryx, OpenSSL, C++ runtime, HTTP server or GnuTLS; `recguard <dds-verb>` runs recguard-dds
# and `recguard web` runs recguard-web from its own directory in the same process (same pid:
# exec, not a child); without its sibling a verb fails with a message naming the path, and the
# verbs of recguard itself still work.
source "$(dirname "$0")/guard_lib.sh"
DDS="$(dirname "$RECGUARD")/recguard-dds"
WEB="$(dirname "$RECGUARD")/recguard-web"
[ -x "$DDS" ] && [ -x "$WEB" ] || fail "no recguard-dds or recguard-web beside $RECGUARD"

start_daemon --idle -- "$FAKE" --out '{segment}'
wait_for 20 "IDLE" state_is IDLE
maps=$(awk '{print $6}' "/proc/$DAEMON_PID/maps" | sort -u)
libs="libddsc libiceoryx libssl libcrypto libmicrohttpd libgnutls"
# the C++ runtime, unless the sanitizer runtime (itself C++) brought it
grep -q libasan <<<"$maps" || libs="$libs libstdc++"
for lib in $libs; do
  ! grep -q "$lib" <<<"$maps" || fail "the daemon maps $lib"
done
stop_daemon

# record via recguard: exec'd in place (the pid the shell started is the recorder's)
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
"$RECGUARD" record -a -o "$T/bag" >"$T/rec.log" 2>&1 &
REC=$!
wait_for 20 "the recorder running as recguard-dds" '[ "$(readlink /proc/$REC/exe)" = "$(readlink -f "$DDS")" ]'
# its stats file exists once its signal handling is in place
wait_for 20 "the recorder's stats file" test -f "$T/bag/recorder.stats"
kill -TERM "$REC"
wait "$REC" || fail "record failed after SIGTERM: $(cat "$T/rec.log")"
[ -f "$T/bag/metadata.yaml" ] || fail "no metadata.yaml: $(cat "$T/rec.log")"
"$RECGUARD" demo --help | grep -q "usage: recguard demo" || fail "demo --help through recguard"

# web via recguard: the dashboard server is recguard-web, same pid
"$RECGUARD" web --listen 127.0.0.1:0 --socket "$SOCK" >"$T/web.log" 2>&1 &
WEBPID=$!
wait_for 20 "the dashboard server running as recguard-web" '[ "$(readlink /proc/$WEBPID/exe)" = "$(readlink -f "$WEB")" ]'
kill -TERM "$WEBPID"
wait "$WEBPID" || true

# alone: the DDS verbs say what is missing, the rest works
mkdir "$T/alone"
cp "$RECGUARD" "$T/alone/recguard"
rc=0
"$T/alone/recguard" demo --count 1 2>"$T/alone.err" || rc=$?
[ "$rc" = 1 ] || fail "demo without recguard-dds exited $rc"
grep -qF "recguard demo: needs $T/alone/recguard-dds: No such file or directory" "$T/alone.err" ||
  fail "message: $(cat "$T/alone.err")"
"$T/alone/recguard" doctor --help >/dev/null || fail "doctor without recguard-dds"
log "PASS"
