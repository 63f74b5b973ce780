#!/usr/bin/env bash
# ros2 bag record's DDS-side options on live traffic: --qos-profile-overrides-path changes the
# reader QoS the publishers see (helper_rdds_pub prints each matched reader's reliability and
# durability), --services / --all-services / -a take service event topics and --all-topics does
# not, --no-discovery records the topics present at start and never subscribes to later ones,
# --use-sim-time stamps log time from /clock (nothing before the first /clock), and
# --include-unpublished-topics says what it does.
source "$(dirname "$0")/rec_lib.sh"
need_node
P="$RG_HELPERS/helper_rdds_pub"

# ---- QoS overrides -----------------------------------------------------------------------
cat > "$T/qos.yaml" <<'EOF'
/qos_rel:
  history: keep_last
  depth: 7
  reliability: best_effort
  durability: volatile
  deadline:
    sec: 0
    nsec: 0
qos_tl:
  durability: volatile
EOF
start_recorder "$T/q.log" --topics /qos_rel /qos_tl -o "$T/q" --qos-profile-overrides-path "$T/qos.yaml"
Q=$REC_PID
start_recorder "$T/q0.log" --topics /qos_rel /qos_tl -o "$T/q0"
Q0=$REC_PID
wait_for 30 grep -q "recording domain" "$T/q.log" || fail "override recorder did not start: $(cat "$T/q.log")"
wait_for 30 grep -q "recording domain" "$T/q0.log" || fail "plain recorder did not start"
"$P" --topic rt/qos_rel --count 5 --rate 100 --min-match 2 > "$T/pub_rel.out" || fail "pub qos_rel: $(cat "$T/pub_rel.out")"
"$P" --topic rt/qos_tl --transient-local --count 5 --rate 100 --min-match 2 > "$T/pub_tl.out" || fail "pub qos_tl: $(cat "$T/pub_tl.out")"
# One reader reliable (no override), one best effort (overridden).
[ "$(grep -c '^matched reader reliable=1 ' "$T/pub_rel.out")" = 1 ] || fail "qos_rel: $(cat "$T/pub_rel.out")"
[ "$(grep -c '^matched reader reliable=0 ' "$T/pub_rel.out")" = 1 ] || fail "qos_rel override not applied: $(cat "$T/pub_rel.out")"
[ "$(grep -c 'transient_local=1' "$T/pub_tl.out")" = 1 ] || fail "qos_tl: $(cat "$T/pub_tl.out")"
[ "$(grep -c 'transient_local=0' "$T/pub_tl.out")" = 1 ] || fail "qos_tl override (no leading /) not applied: $(cat "$T/pub_tl.out")"
wait_for 30 topic_ge "$T/q/recorder.stats" /qos_tl messages 5 || fail "override recorder lost /qos_tl"
REC_PID=$Q; stop_recorder
REC_PID=$Q0; stop_recorder
echo "ok: QoS overrides"

# ---- services ------------------------------------------------------------------------------
start_recorder "$T/s1.log" --services add_two_ints -o "$T/s1"; S1=$REC_PID
start_recorder "$T/s2.log" --all-services -o "$T/s2"; S2=$REC_PID
start_recorder "$T/s3.log" -a -o "$T/s3"; S3=$REC_PID
start_recorder "$T/s4.log" --all-topics -o "$T/s4"; S4=$REC_PID
start_recorder "$T/s5.log" -a --exclude-services add_two_ints -o "$T/s5"; S5=$REC_PID
for i in 1 2 3 4 5; do wait_for 30 grep -q "recording domain" "$T/s$i.log" || fail "s$i did not start: $(cat "$T/s$i.log")"; done
# Exactly three readers (s1, s2, s3) match the service event topic; s3, s4 and s5 take /plain.
"$P" --topic rt/add_two_ints/_service_event --count 5 --rate 100 --min-match 3 --linger 1 > "$T/pub_svc.out" ||
  fail "service event publisher: $(cat "$T/pub_svc.out")"
[ "$(grep -c '^matched reader ' "$T/pub_svc.out")" = 3 ] || fail "service event readers: $(cat "$T/pub_svc.out")"
"$P" --topic rt/plain --count 5 --rate 100 --min-match 3 > "$T/pub_plain.out" || fail "plain publisher: $(cat "$T/pub_plain.out")"
for i in 1 2 3; do
  wait_for 30 topic_ge "$T/s$i/recorder.stats" /add_two_ints/_service_event messages 5 || fail "s$i lacks the service events"
done
for i in 3 4 5; do wait_for 30 topic_ge "$T/s$i/recorder.stats" /plain messages 5 || fail "s$i lacks /plain"; done
for pid in $S1 $S2 $S3 $S4 $S5; do REC_PID=$pid; stop_recorder; done
for i in 1 2 3 4 5; do validate "$T/s$i/s${i}_0.mcap" > "$T/s$i.json" || fail "s$i invalid"; done
t() { json "$T/$1.json" 'j.channels.map(c => c.topic).sort().join(" ")'; }
[ "$(t s1)" = "/add_two_ints/_service_event" ] || fail "--services: $(t s1)"
[ "$(t s2)" = "/add_two_ints/_service_event" ] || fail "--all-services: $(t s2)"
[ "$(t s3)" = "/add_two_ints/_service_event /plain" ] || fail "-a: $(t s3)"
[ "$(t s4)" = "/plain" ] || fail "--all-topics: $(t s4)"
[ "$(t s5)" = "/plain" ] || fail "--exclude-services: $(t s5)"
echo "ok: services"

# ---- --no-discovery ------------------------------------------------------------------------
"$P" --topic rt/early --count 100000 --rate 50 --min-match 1 --match-timeout 60 > "$T/pub_early.out" 2>&1 &
EARLY=$!; PIDS+=("$EARLY")
start_recorder "$T/nd.log" --topics /early /late --no-discovery --include-unpublished-topics -o "$T/nd"
wait_for 30 topic_ge "$T/nd/recorder.stats" /early messages 3 || fail "--no-discovery lost a topic present at start"
grep -q "note: --include-unpublished-topics" "$T/nd.log" || fail "--include-unpublished-topics note: $(cat "$T/nd.log")"
# The discovery window is 2 s from the recorder's start line (rdds opens before it prints).
wait_for 30 grep -q "recording domain" "$T/nd.log" || fail "no start line"
sleep 3
rc=0; "$P" --topic rt/late --count 5 --rate 100 --min-match 1 --match-timeout 3 > "$T/pub_late.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "--no-discovery subscribed to a topic that appeared later (exit $rc): $(cat "$T/pub_late.out")"
stop_recorder
kill -TERM "$EARLY"; wait "$EARLY" || true
echo "ok: --no-discovery"

# ---- --use-sim-time --------------------------------------------------------------------------
start_recorder "$T/sim.log" --topics /chatter --use-sim-time -o "$T/sim"
wait_for 30 test -s "$T/sim/recorder.stats" || fail "sim: no stats"
"$RECGUARD" demo --rate-scale 2 > "$T/demo.log" 2>&1 &
DEMO=$!; PIDS+=("$DEMO")
wait_for 30 topic_known "$T/sim/recorder.stats" /chatter || fail "sim: /chatter not subscribed"
[ "$(stat_field "$T/sim/recorder.stats" messages_received)" = 0 ] || fail "sim: recorded before any /clock"
# rosgraph_msgs/Clock {sec 1000, nanosec 5}, little-endian CDR.
printf '\x00\x01\x00\x00\xe8\x03\x00\x00\x05\x00\x00\x00' > "$T/clock.cdr"
echo "rt/clock rosgraph_msgs::msg::dds_::Clock_ $T/clock.cdr" > "$T/clock.manifest"
"$RG_HELPERS/helper_cdr_pub" "$T/clock.manifest" > "$T/clock.out" 2>&1 || fail "clock publisher: $(cat "$T/clock.out")"
wait_for 30 topic_ge "$T/sim/recorder.stats" /chatter messages 3 || fail "sim: nothing after /clock"
kill -TERM "$DEMO"; wait "$DEMO" || true
stop_recorder
validate "$T/sim/sim_0.mcap" > "$T/sim.json" || fail "sim: invalid"
[ "$(json "$T/sim.json" 'j.channels.map(c => c.topic).sort().join(" ")')" = "/chatter /clock" ] || fail "sim topics"
[ "$(json "$T/sim.json" 'j.statistics.messageStartTime')" = 1000000000005 ] || fail "sim: first log time $(json "$T/sim.json" j.statistics.messageStartTime)"
[ "$(json "$T/sim.json" 'j.statistics.messageEndTime')" = 1000000000005 ] || fail "sim: last log time $(json "$T/sim.json" j.statistics.messageEndTime)"
echo "ok: --use-sim-time"
