#!/usr/bin/env bash
# Health from data: a recorder cut off from DDS while its publishers go on is unhealthy and is
# replaced into a new segment. The test builds its own network: it runs in a network namespace
# of its own (unshare -n), with the publishers on one end of a veth pair and the daemon and its
# recorder in a second namespace on the other end. Pulling the cable (the publishers' end down)
# cuts the recorder off: its writer thread's heartbeat goes on, so only the data can tell.
# Reconnected, the replacement records again.
if [ -z "${RG_NODATA_NS:-}" ]; then
  command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v ip >/dev/null ||
    { echo "SKIP: unshare/nsenter/ip missing"; exit 77; }
  unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace (not root?)"; exit 77; }
  exec unshare -n env RG_NODATA_NS=1 bash "$0" "$@"
fi
source "$(dirname "$0")/guard_lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="nodata-$$"
EXTRA=()
trap 'rc_=$?; for p in "${EXTRA[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; (exit $rc_); cleanup' EXIT

ip link set lo up
unshare -n sleep 600 &
HOLD=$!; EXTRA+=($HOLD)
wait_for 10 "the recorder's namespace" '[ "$(readlink /proc/$HOLD/ns/net)" != "$(readlink /proc/self/ns/net)" ]'
nsr() { nsenter -t "$HOLD" -n "$@"; }
ip link add rgp type veth peer name rgr netns "$HOLD" || { echo "SKIP: no veth"; exit 77; }
ip addr add 10.77.0.1/24 dev rgp
ip link set rgp up
nsr ip link set lo up
nsr ip addr add 10.77.0.2/24 dev rgr
nsr ip link set rgr up
cdds() { # cdds IFACE FILE: a unicast Cyclone config over the veth pair
  cat > "$2" <<EOF
<CycloneDDS xmlns="https://cdds.io/config"><Domain Id="any">
  <General><Interfaces><NetworkInterface name="$1" multicast="false"/></Interfaces>
    <AllowMulticast>false</AllowMulticast></General>
  <Discovery><Tag>\${RG_DDS_TAG:-}</Tag><ParticipantIndex>auto</ParticipantIndex>
    <MaxAutoParticipantIndex>32</MaxAutoParticipantIndex>
    <Peers><Peer address="10.77.0.1"/><Peer address="10.77.0.2"/></Peers></Discovery>
</Domain></CycloneDDS>
EOF
}
cdds rgp "$T/pub.xml"
cdds rgr "$T/rec.xml"

CYCLONEDDS_URI="file://$T/rec.xml" nsenter -t "$HOLD" -n "$RECGUARD" daemon --socket "$SOCK" --output "$OUT" \
  "${FAST[@]}" --set health.no_data_timeout=2s >>"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 20 "the daemon's socket" test -S "$SOCK"
wait_for 30 "RECORDING" state_is RECORDING
CYCLONEDDS_URI="file://$T/pub.xml" "$RECGUARD" demo --duration 300 > "$T/demo.out" 2>&1 &
EXTRA+=($!)
first=$(recorder_pid)
wait_for 60 "data across the veth" '[ "$(jst ".data.messages_received // 0")" -gt 100 ]'
seg=$(jst .segment)

# Pull the cable: the publishers go on, the recorder hears nothing.
ip link set rgp down
wait_for 30 "the recorder replaced" pid_changed "$first"
grep -q "no data for [0-9.]* s while /[a-z_/]* has [0-9]* publisher" "$T/daemon.log" ||
  fail "the replacement's reason is not the missing data"
jhas 'select(.reason != null and (.reason|test("no data for")))' "$OUT/journal.jsonl" || fail "journal lacks the no-data reason"
wait_for 30 "RECORDING again" state_is RECORDING
[ "$(jst .segment)" != "$seg" ] || fail "no new segment after the replacement"

# Reconnected: the replacement records.
ip link set rgp up
second=$(recorder_pid)
wait_for 60 "data in the replacement" '[ "$(recorder_pid)" = "$second" ] && [ "$(jst ".data.messages_received // 0")" -gt 100 ]'
stop_daemon
log "PASS"
