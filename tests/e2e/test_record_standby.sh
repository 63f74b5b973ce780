#!/usr/bin/env bash
# The hot standby recorder by hand (the daemon's redundancy: standby drives the same interface):
# a primary with --positions and a standby with --standby on it, under a 1 kHz sequenced
# publisher with ROS 2's default QoS (reliable, keep last 10).
#  1. kill -9 of the primary, SIGUSR1 to the standby: the primary's segment (recovered) and the
#     standby's hold every sample from the first recorded to the last, none twice, in order,
#     read by @mcap/core + rosmsg2-serialization (rec_seq.mjs).
#  2. The same after a hang: SIGSTOP, then kill -9, then the takeover.
#  3. A standby stopped without a takeover writes nothing and exits 0; its stats say "standby".
#  4. A standby whose primary left no positions file warns and writes all it holds.
# (Bad combinations of the standby options: tests/integration/test_record_cli.sh.)
source "$(dirname "$0")/rec_lib.sh"
need_node
PUB="$RG_HELPERS/helper_rdds_pub"

role_is() { [ "$(stat_field "$1" role)" = "$2" ]; }

# takeover NAME HOW: one primary/standby pair in bag $T/NAME; HOW = kill or hang.
takeover() {
  local name=$1 how=$2 bag="$T/$1"
  mkdir -p "$bag"
  "$PUB" --topic rt/seq --rate 1000 --duration 60 --min-match 2 > "$T/$name.pub.log" 2>&1 &
  local pub=$!
  PIDS+=("$pub")
  start_recorder "$T/$name.primary.log" -a -o "$bag/bag_0.mcap" --positions "$T/$name.p0" \
    --stats "$T/$name.s0" --max-chunk-age 500
  local primary=$REC_PID
  start_recorder "$T/$name.standby.log" -a -o "$bag/bag_1.mcap" --standby "$T/$name.p0" \
    --positions "$T/$name.p1" --stats "$T/$name.s1"
  local standby=$REC_PID
  wait_for 30 topic_ge "$T/$name.s0" /seq written 2000 || fail "$name: the primary did not record"
  wait_for 10 topic_ge "$T/$name.s1" /seq messages 2000 || fail "$name: the standby received nothing"
  role_is "$T/$name.s1" standby || fail "$name: standby's stats role: $(stat_field "$T/$name.s1" role)"
  [ ! -e "$bag/bag_1.mcap" ] || fail "$name: the standby wrote before its takeover"
  if [ "$how" = hang ]; then
    kill -STOP "$primary"
    # The hung primary's reader stops acknowledging; the publisher must go on for the standby.
    local before; before=$(topic_field "$T/$name.s1" /seq messages)
    wait_for 10 topic_ge "$T/$name.s1" /seq messages $((before + 1000)) ||
      fail "$name: traffic stalled behind the hung primary"
  fi
  kill -9 "$primary"
  wait "$primary" 2>/dev/null || true
  kill -USR1 "$standby"
  wait_for 10 test -s "$bag/bag_1.mcap" || fail "$name: no segment after the takeover"
  wait_for 10 role_is "$T/$name.s1" recorder || fail "$name: role after the takeover"
  local after; after=$(topic_field "$T/$name.s1" /seq written)
  wait_for 20 topic_ge "$T/$name.s1" /seq written $((after + 1000)) || fail "$name: not recording live"
  REC_PID=$standby
  stop_recorder
  kill "$pub" 2>/dev/null || true
  grep -q "standby: taking over" "$T/$name.standby.log" || fail "$name: no takeover line"
  grep -q "took over:" "$T/$name.standby.log" || fail "$name: no takeover summary"
  "$RECGUARD" recover "$bag/bag_0.mcap" > "$T/$name.recover.log" 2>&1 || true
  [ -s "$bag/bag_0.recovered.mcap" ] || fail "$name: recover left nothing: $(cat "$T/$name.recover.log")"
  validate "$bag/bag_0.recovered.mcap" > /dev/null || fail "$name: recovered primary segment invalid"
  validate "$bag/bag_1.mcap" > /dev/null || fail "$name: standby segment invalid"
  rec_seq --topic /seq --ros-field data "$bag/bag_0.recovered.mcap" "$bag/bag_1.mcap" > "$T/$name.seq.json" ||
    fail "$name: rec_seq failed"
  local gaps dups ooo n0 n1
  gaps=$(json "$T/$name.seq.json" 'j.gaps'); dups=$(json "$T/$name.seq.json" 'j.dups')
  ooo=$(json "$T/$name.seq.json" 'j.outOfOrder')
  n0=$(json "$T/$name.seq.json" 'j.files[0].count'); n1=$(json "$T/$name.seq.json" 'j.files[1].count')
  echo "$name: $(cat "$T/$name.seq.json")"
  [ "$gaps" = 0 ] && [ "$dups" = 0 ] && [ "$ooo" = 0 ] ||
    fail "$name: across the takeover: gaps $gaps, dups $dups, out of order $ooo"
  [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] || fail "$name: a segment is empty ($n0 / $n1)"
}

takeover kill kill
takeover hang hang

# 3: stopped without a takeover: nothing written, exit 0.
mkdir -p "$T/idle"
"$PUB" --topic rt/seq --rate 200 --duration 30 > "$T/idle.pub.log" 2>&1 &
PIDS+=($!)
start_recorder "$T/idle.log" -a -o "$T/idle/bag_1.mcap" --standby "$T/none.p" --stats "$T/idle.s"
wait_for 20 topic_ge "$T/idle.s" /seq messages 100 || fail "idle standby received nothing"
role_is "$T/idle.s" standby || fail "idle standby role"
stop_recorder
[ -z "$(ls -A "$T/idle")" ] || fail "a standby stopped without a takeover wrote: $(ls "$T/idle")"

# 4: no positions file to follow: a warning, and everything held is written.
start_recorder "$T/orphan.log" -a -o "$T/idle/bag_1.mcap" --standby "$T/none.p" --stats "$T/orphan.s"
wait_for 20 topic_ge "$T/orphan.s" /seq messages 100 || fail "orphan standby received nothing"
kill -USR1 "$REC_PID"
wait_for 10 topic_ge "$T/orphan.s" /seq written 100 || fail "orphan standby wrote nothing held"
stop_recorder
grep -q "positions($T/none.p)" "$T/orphan.log" || fail "no warning naming the missing positions file: $(cat "$T/orphan.log")"
validate "$T/idle/bag_1.mcap" > /dev/null || fail "orphan standby segment invalid"
echo "PASS"
