#!/usr/bin/env bash
# The Debian package: built from the repository with packaging/deb.sh (what `make deb` runs; a
# release build of its own under the test's build tree), then
#  1. unpacked with `dpkg -x` into a temporary root: its binary, with AMENT_PREFIX_PATH and
#     RECGUARD_MSG_PATH unset, records `recguard demo`; the file is checked by the independent
#     readers (every message decoded with the schema from the packaged definitions);
#  2. when we are root, no recguard package is installed and nothing is at /usr/bin/recguard:
#     installed for real with `apt-get install ./recguard_*.deb` (no download: every declared
#     dependency must already be satisfied, as on a machine that ran `make deps`), the demo
#     recorded with /usr/bin/recguard, then purged, leaving no file behind.
# Skips (77) without dpkg-deb / dpkg-shlibdeps.
source "$(dirname "$0")/rec_lib.sh"
need_node
: "${RG_BUILD_DIR:?run through ctest}"
for t in dpkg-deb dpkg-shlibdeps; do
  command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
N=15

RG_DEB_BUILD_DIR="$RG_BUILD_DIR/deb" "$RG_SOURCE_DIR/packaging/deb.sh" "$T/out" > "$T/deb.log" 2>&1 ||
  fail "deb.sh: $(tail -n 20 "$T/deb.log")"
deb=$(tail -n 1 "$T/deb.log")
[ -f "$deb" ] || fail "no package: $(cat "$T/deb.log")"
[ "$(dpkg-deb -f "$deb" Package)" = recguard ] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
case $depends in *"libddsc0debian (>= 0.10)"*libc6*|*libc6*"libddsc0debian (>= 0.10)"*) ;; *) fail "Depends: $depends" ;; esac
[ "$(dpkg-deb -I "$deb" conffiles)" = /etc/recguard/recguard.yaml ] || fail "conffiles: $(dpkg-deb -I "$deb" conffiles)"

# record_demo BIN BAG: BIN records BIN's demo into BAG with no ROS definitions around, and
# the file holds every demo message, decoded with the schemas BIN wrote.
record_demo() {
  local bin=$1 bag=$2 name
  name=$(basename "$bag")
  env -u AMENT_PREFIX_PATH -u RECGUARD_MSG_PATH "$bin" record -a -o "$bag" > "$T/rec_$name.log" 2>&1 &
  REC_PID=$!
  PIDS+=("$REC_PID")
  wait_for 20 test -s "$bag/recorder.stats" || fail "$name: no stats file"
  env -u AMENT_PREFIX_PATH "$bin" demo --count $N --rate-scale 10 > "$T/demo_$name.log" 2>&1 ||
    fail "$name: demo failed: $(cat "$T/demo_$name.log")"
  local t
  for t in /chatter /seq /camera/image_raw; do
    wait_for 20 topic_ge "$bag/recorder.stats" $t messages $N || fail "$name: $t: $(topic_field "$bag/recorder.stats" $t messages) of $N"
  done
  stop_recorder
  grep -q 'warning:.*schema(' "$T/rec_$name.log" && fail "$name: schema warnings: $(cat "$T/rec_$name.log")"
  local f="$bag/${name}_0.mcap" V="$T/v_$name.json"
  validate "$f" > "$V" || fail "$name: validator rejected $f: $(head -c 2000 "$V")"
  [ "$(json "$V" j.decodeErrors)" = 0 ] || fail "$name: decode errors"
  [ "$(json "$V" 'j.decoded === j.messageCount')" = true ] || fail "$name: not every message decoded"
  for t in /chatter /seq /camera/image_raw /imu; do
    [ "$(json "$V" "j.channels.find(c => c.topic === '$t').schemaEncoding")" = ros2msg ] || fail "$name: $t schema"
  done
  for spec in "/chatter data" "/seq seq" "/camera/image_raw data"; do
    set -- $spec
    rec_seq --topic "$1" --ros-field "$2" "$f" > "$T/s.json" || fail "$name: $1 unreadable"
    [ "$(json "$T/s.json" '[j.count, j.first, j.last, j.contiguous].join()')" = "$N,1,$N,true" ] ||
      fail "$name: $1 values: $(cat "$T/s.json")"
  done
}

# 1. Unpacked.
root="$T/root"
dpkg-deb -x "$deb" "$root"
for p in usr/bin/recguard usr/share/recguard/msgs/sensor_msgs/msg/Image.msg \
         usr/share/recguard/msgs/recguard_msgs/msg/Sequence.msg usr/lib/systemd/system/recguard.service \
         etc/recguard/recguard.yaml usr/share/doc/recguard/copyright usr/share/doc/recguard/docs/ARCHITECTURE.md; do
  [ -e "$root/$p" ] || fail "package lacks /$p"
done
grep -qx 'ExecStart=/usr/bin/recguard daemon --config /etc/recguard/recguard.yaml --output /var/lib/recguard/bags' \
  "$root/usr/lib/systemd/system/recguard.service" || fail "unit: $(grep ExecStart "$root/usr/lib/systemd/system/recguard.service")"
record_demo "$root/usr/bin/recguard" "$T/unpacked"
echo "ok: unpacked package records the demo with full schemas"

# 2. Installed for real, then purged.
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ok: (not root: real install skipped)"; exit 0
fi
exec 9> /tmp/recguard-deb-test.lock
flock -w 300 9 || fail "another package test holds /tmp/recguard-deb-test.lock"
if dpkg-query -W recguard >/dev/null 2>&1 || [ -e /usr/bin/recguard ]; then
  echo "ok: (recguard already on this system: real install skipped)"; exit 0
fi
purge() { dpkg --purge recguard >> "$T/purge.log" 2>&1 || true; }
trap 'purge; rec_cleanup' EXIT
# apt-get resolves the declared dependencies. They must all be present already (the test
# changes nothing else on the machine): a simulation installs recguard alone.
apt-get install -s -o DPkg::Lock::Timeout=120 "$deb" > "$T/apt_sim.log" 2>&1 ||
  fail "apt-get install -s $deb: $(tail -n 20 "$T/apt_sim.log")"
grep -q '^0 upgraded, 1 newly installed, 0 to remove' "$T/apt_sim.log" ||
  fail "installing the package would change more than recguard: $(cat "$T/apt_sim.log")"
apt-get install -y -o DPkg::Lock::Timeout=120 "$deb" > "$T/apt.log" 2>&1 ||
  fail "apt-get install $deb: $(tail -n 20 "$T/apt.log")"
[ "$(dpkg-query -W -f '${Status}' recguard)" = "install ok installed" ] || fail "not installed: $(tail -n 20 "$T/apt.log")"
dpkg -L recguard > "$T/files"
grep -qx /usr/share/recguard/msgs/tf2_msgs/msg/TFMessage.msg "$T/files" || fail "dpkg -L lacks the definitions"
record_demo /usr/bin/recguard "$T/installed"
dpkg --purge recguard > "$T/purge.log" 2>&1 || fail "purge: $(cat "$T/purge.log")"
trap rec_cleanup EXIT
left=()
while read -r p; do
  [ -f "$p" ] && left+=("$p")
done < "$T/files"
[ -e /etc/recguard/recguard.yaml ] && left+=(/etc/recguard/recguard.yaml)
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
echo "ok: apt-get install, recording with /usr/bin/recguard, purge"
