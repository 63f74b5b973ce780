#!/usr/bin/env bash
# chaos.sh — the guardian under abuse, with real processes, real DDS traffic and real files.
#
#   tests/chaos/chaos.sh [KILLS]      (make chaos: 40 kills; ctest chaos.short: 2)
#   CHAOS_REDUNDANCY=standby tests/chaos/chaos.sh [KILLS]
#                                     (make chaos: 100 kills; ctest chaos.short.standby: 2)
#
# Phase A, the built-in recorder under a 1 kHz sequenced publisher (ROS 2 default QoS:
# reliable, volatile, keep last 10) and a reliable keep-all publisher: KILLS times kill -9 of
# the recorder, one SIGSTOP, a daemon kill -9 during a split and one during a stop.
# Phase B, a wrapper recorder (bash -c) with a child that stays in its session and one that
# escapes by setsid + double fork: kill -9 of the wrapper, then a stop.
# Phase C (root: a tmpfs), the built-in recorder fills a small disk: DISK_LOW, then space is
# freed and recording resumes by itself.
# With CHAOS_REDUNDANCY=standby, phase S instead: `redundancy: standby` under the 1 kHz
# sequenced publisher: KILLS times kill -9 of the recorder once its standby is ready (each must
# be a promotion), one SIGSTOP of the recorder (a promotion), one kill -9 of the standby (a new
# one, the recorder untouched), one kill -9 of both at once (a plain restart), then a stop.
# Asserted besides the above: no sequence number lost or twice across every segment, but at the
# kill of both, whose loss (a plain restart's) is measured and printed, not asserted.
#
# Asserted (exit 1 otherwise): never ERROR; every segment (or its .recovered.mcap from the
# post-crash hook) passes the independent readers (tests/e2e/validate_mcap.mjs, rec_seq.mjs);
# no sequence number twice and none out of order within a segment; no segment written by two
# runs; no process of an old run left; the keep-all publisher keeps publishing after each kill.
# Measured, not asserted (a loaded machine is no place for timing asserts): the messages lost
# per kill (sequence gap between the killed run's last durable message and the next run's
# first), and the keep-all publisher's longest write stall per kill. The figures go to stdout
# and, as JSON, to $CHAOS_REPORT when set.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
: "${RECGUARD:=$ROOT/build/recguard}" "${RG_HELPERS:=$ROOT/build/tests}"
: "${RG_SOURCE_DIR:=$ROOT}" "${RG_E2E_DIR:=$ROOT/tests/e2e}"
export RECGUARD RG_HELPERS RG_SOURCE_DIR RG_E2E_DIR
KILLS=${1:-${CHAOS_KILLS:-40}}
REDUNDANCY=${CHAOS_REDUNDANCY:-none}
[[ "$KILLS" =~ ^[0-9]+$ ]] && [ "$KILLS" -ge 1 ] || { echo "usage: chaos.sh [KILLS >= 1]" >&2; exit 2; }
case "$REDUNDANCY" in none | standby) ;; *) echo "CHAOS_REDUNDANCY: none or standby, not '$REDUNDANCY'" >&2; exit 2 ;; esac
[ -d "$RG_E2E_DIR/node_modules/@mcap/core" ] || { echo "tests/e2e/node_modules missing (make deps): skipping"; exit 77; }
# shellcheck source=../integration/guard_lib.sh
source "$RG_SOURCE_DIR/tests/integration/guard_lib.sh"
export CYCLONEDDS_URI="file://$RG_SOURCE_DIR/tests/cyclonedds.xml"
export ROS_DOMAIN_ID=$(( $$ % 200 + 1 ))
export RG_DDS_TAG="chaos-$$-$RANDOM"
PUB="$RG_HELPERS/helper_rdds_pub"
SEQ_HZ=1000

# A node that hangs (seen twice in some 400 runs: asleep on a futex, once after printing its
# result) is ended and run once more (node_lib.sh); these bags are larger than the e2e tests'
# ones, so each run gets 120 s.
NODE_E2E_TIMEOUT=120
# shellcheck source=../e2e/node_lib.sh
source "$RG_SOURCE_DIR/tests/e2e/node_lib.sh"
never_error() { ! jhas 'select(.state=="ERROR")' "$JOURNAL" || fail "the daemon went to ERROR"; }
kill_daemon() { kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""; }
seg_index() { local b=${1%.mcap}; echo "${b##*_}"; }
# The file holding a segment's data: the hook's .recovered.mcap where the run was cut.
seg_file() { local r="${1%.mcap}.recovered.mcap"; if [ -f "$r" ]; then echo "$r"; else echo "$1"; fi; }
segments_of() { # the bag's segments in index order
  local f
  for f in "$1"/*.mcap; do
    [[ "$f" == *.recovered.mcap ]] && continue
    echo "$(seg_index "$f") $f"
  done | sort -n | awk '{print $2}'
}
# No post-crash hook (`recguard recover`) still working on the bag; a daemon that exits leaves
# its hooks to finish on their own, unjournaled.
hooks_done() { ! pgrep -f "recover $1/" >/dev/null; }
# validate_bag BAG TOPIC: every segment valid; per-segment sequence figures into $T/seq.tsv
# ("index first last count"); the number of segments in NSEG.
validate_bag() {
  local bag=$1 topic=$2 f file n=0
  wait_for 120 "post-crash hooks done in $bag" hooks_done "$bag"
  : >"$T/seq.tsv"
  for f in $(segments_of "$bag"); do
    file=$(seg_file "$f")
    node_e2e validate_mcap.mjs "$file" >"$T/v.json" || fail "$file: invalid: $(jq -c .errors "$T/v.json" 2>/dev/null | head -c 400)"
    node_e2e rec_seq.mjs --topic "$topic" --ros-field data "$file" >"$T/s.json" 2>/dev/null ||
      echo '{"count":0,"first":null,"last":null,"dups":0,"outOfOrder":0}' >"$T/s.json"
    [ "$(jq .dups "$T/s.json")" = 0 ] || fail "$file: a sequence number twice"
    [ "$(jq .outOfOrder "$T/s.json")" = 0 ] || fail "$file: sequence out of order"
    echo "$(seg_index "$f") $(jq -r '[.first, .last, .count] | map(tostring) | join(" ")' "$T/s.json")" >>"$T/seq.tsv"
    n=$((n + 1))
  done
  # one run per segment: the spawned segment paths are all distinct and all present
  local spawned
  spawned=$(jq -rn '[inputs | select(.event=="transition" and .trigger=="spawned") | .segment] | .[]' "$bag/recguard.jsonl" | sort | uniq -d)
  [ -z "$spawned" ] || fail "a segment was written by two runs: $spawned"
  NSEG=$n
}
# loss_after INDEX: messages missing between segment INDEX's last and the first message of the
# next segment that holds one (a standby killed as it was promoted leaves its index unused, or a
# segment with no message of the topic).
loss_after() {
  awk -v i="$1" '$1 == i {last = $3} $1 > i && !seen && $2 != "null" && $2 != "" {first = $2; seen = 1} END {
    if (last == "null" || first == "null" || last == "" || first == "") print "na"; else print first - last - 1 }' "$T/seq.tsv"
}
# loss_between FROM TO: messages missing from segment FROM's last to segment TO's first, over the
# segments in between that hold any.
loss_between() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 != "null" && $2 != "" {
      if (have) lost += $2 - last - 1; last = $3; have = 1 }
    END { if (!have) print "na"; else print lost + 0 }' "$T/seq.tsv"
}
old_run_procs() { # live processes of the test other than the daemon and the given pids
  local p n=0
  for p in $(live_test_procs); do
    [ "$p" = "$DAEMON_PID" ] && continue
    [[ " $* " == *" $p "* ]] && continue
    n=$((n + 1))
  done
  echo "$n"
}

# ---- phase S: redundancy: standby, KILLS promotions, a hang, the standby killed, both killed
sb_pid() { jst .standby.pid; }
sb_ready() { [ "$(jst .standby.state)" = ready ] && state_is RECORDING; }
new_standby_ready() { local s; s=$(sb_pid); [ "$s" != 0 ] && [ "$s" != "$1" ] && sb_ready; }
written() { jst '.data.messages_written // 0'; }
record_a_while() { # 1 to 2 s of recording, as a recorder between two crashes does
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 1 + r / 32768}')"
}
phase_standby() {
  JOURNAL="$OUT/journal.jsonl"
  log "phase S: redundancy: standby, $KILLS kill -9 of the recorder under $SEQ_HZ Hz"
  start_daemon --set redundancy=standby --set restart.backoff_initial=1s --set health.hang_timeout=2s
  wait_for 30 "RECORDING" state_is RECORDING
  local bag J pid sb seg k r
  bag=$(jst .bag_dir)
  J="$bag/recguard.jsonl"
  "$PUB" --topic rt/seq --rate "$SEQ_HZ" --duration 100000 --match-timeout 60 --min-match 2 >"$T/pub_s.log" 2>&1 &
  local pub=$!
  wait_for 60 "publisher matched by the recorder and its standby" 'grep -q matched "$T/pub_s.log"'
  : >"$T/kills"
  for k in $(seq 1 "$KILLS"); do
    wait_for 60 "a ready standby before kill $k" sb_ready
    pid=$(recorder_pid); sb=$(sb_pid); seg=$(jst .segment)
    record_a_while
    [ "$(recorder_pid)" = "$pid" ] && [ "$(sb_pid)" = "$sb" ] || fail "recorder or standby replaced before kill $k: $(jst .reason)"
    kill -KILL "$pid"
    echo "$(seg_index "$seg") promote" >>"$T/kills"
    wait_for 60 "the standby promoted at kill $k" '[ "$(recorder_pid)" = "$sb" ]'
    never_error
  done
  log "phase S: SIGSTOP of the recorder"
  wait_for 60 "a ready standby" sb_ready
  pid=$(recorder_pid); sb=$(sb_pid); seg=$(jst .segment)
  record_a_while
  kill -STOP "$pid"
  echo "$(seg_index "$seg") hang" >>"$T/kills"
  wait_for 60 "the hung recorder replaced by its standby" '[ "$(recorder_pid)" = "$sb" ]'
  jhas "select(.event==\"promoted\" and .old_pid==$pid)" "$J" || fail "the hang did not end in a promotion"
  log "phase S: kill -9 of the standby"
  wait_for 60 "a ready standby" sb_ready
  pid=$(recorder_pid); sb=$(sb_pid); r=$(jst .restarts)
  kill -KILL "$sb"
  wait_for 60 "a new standby" new_standby_ready "$sb"
  [ "$(recorder_pid)" = "$pid" ] && [ "$(jst .restarts)" = "$r" ] || fail "the standby's end touched the recorder"
  log "phase S: kill -9 of both"
  pid=$(recorder_pid); sb=$(sb_pid); seg=$(jst .segment)
  record_a_while
  kill -KILL "$pid" "$sb"
  echo "$(seg_index "$seg") both" >>"$T/kills"
  wait_for 60 "a plain restart" '[ "$(recorder_pid)" != 0 ] && [ "$(recorder_pid)" != "$pid" ] && [ "$(recorder_pid)" != "$sb" ]'
  local restart_idx; restart_idx=$(seg_index "$(jst .segment)")
  wait_for 60 "a new standby after the plain restart" new_standby_ready "$sb"
  record_a_while
  "$RECGUARD" stop --socket "$SOCK" --timeout 60 >/dev/null || fail "stop"
  wait_for 30 "the standby ended with the recording" '[ "$(sb_pid)" = 0 ]'
  wait_for 30 "no recorder or standby left after stop" '[ "$(old_run_procs "$pub")" = 0 ]'
  never_error
  kill -INT "$pub"
  wait "$pub" 2>/dev/null || true
  stop_daemon
  validate_bag "$bag" /seq
  local files=() f
  for f in $(segments_of "$bag"); do files+=("$(seg_file "$f")"); done
  node_e2e rec_seq.mjs --topic /seq --ros-field data "${files[@]}" >"$T/all.json" || fail "rec_seq over the bag"
  [ "$(jq .dups "$T/all.json")" = 0 ] && [ "$(jq .outOfOrder "$T/all.json")" = 0 ] ||
    fail "across the segments: $(jq -c '{dups, outOfOrder}' "$T/all.json")"
  local idx how l lost_promoted=0 both_loss=na
  while read -r idx how; do
    l=$(loss_after "$idx")
    # The standby may be promoted an instant before its own kill lands: the plain restart's
    # loss then spans that run's segment too, up to the restart's first.
    if [ "$how" = both ]; then both_loss=$(loss_between "$idx" "$restart_idx"); continue; fi
    [ "$l" = 0 ] || { log "segment $idx ($how): $l lost"; lost_promoted=$((lost_promoted + 1)); }
  done <"$T/kills"
  local gaps
  gaps=$(jq .gaps "$T/all.json")
  log "phase S: $NSEG segments valid; $((KILLS + 1)) promotions, $lost_promoted of them with a loss; no duplicate; the plain restart (both killed) lost $both_loss messages; $gaps missing in all"
  [ "$lost_promoted" = 0 ] || fail "messages lost across $lost_promoted promotions"
  [ "$both_loss" != na ] && [ "$gaps" = "$both_loss" ] || fail "messages missing beyond the plain restart: $gaps missing, $both_loss at the plain restart"
  local summary
  summary=$(jq -n --argjson kills "$KILLS" --argjson segs "$NSEG" --argjson both "$both_loss" \
    --arg ms "$(awk -v m="$both_loss" -v hz="$SEQ_HZ" 'BEGIN {printf "%.0f", m * 1000 / hz}')" \
    '{redundancy: "standby", kills: $kills, promotions: ($kills + 1), lost_in_promotions: 0, duplicated: 0,
      plain_restart_loss: {messages: $both, ms: ($ms | tonumber)}, segments_valid: $segs, error_state: false}')
  echo "$summary"
  [ -z "${CHAOS_REPORT:-}" ] || echo "$summary" >"$CHAOS_REPORT"
  log "PASS"
}
if [ "$REDUNDANCY" = standby ]; then
  phase_standby
  exit 0
fi

# ---- phase A: the built-in recorder, KILLS kill -9, SIGSTOP, daemon kill -9 in split and stop
JOURNAL="$OUT/journal.jsonl" # the daemon's journal (in its state dir)
log "phase A: $KILLS kill -9 of the built-in recorder under $SEQ_HZ Hz"
start_daemon --set restart.backoff_initial=1s
wait_for 30 "RECORDING" state_is RECORDING
bagA=$(jst .bag_dir)
"$PUB" --topic rt/seq --rate "$SEQ_HZ" --duration 100000 --match-timeout 60 >"$T/pub_seq.log" 2>&1 &
PUB_SEQ=$!
"$PUB" --topic rt/stall --keep-all --pad 1000 --rate "$SEQ_HZ" --duration 100000 --match-timeout 60 \
  >"$T/pub_stall.log" 2>&1 &
PUB_STALL=$!
wait_for 60 "publishers matched" 'grep -q matched "$T/pub_seq.log" && grep -q matched "$T/pub_stall.log"'
: >"$T/kills"
for k in $(seq 1 "$KILLS"); do
  wait_for 60 "RECORDING before kill $k" state_is RECORDING
  pid=$(recorder_pid)
  seg=$(jst .segment)
  # let it record a while (1 to 2 s), as a recorder between two crashes does
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 1 + r / 32768}')"
  [ "$(recorder_pid)" = "$pid" ] || fail "recorder $pid replaced before kill $k: $(jst .reason)"
  kill -KILL "$pid"
  echo "$(seg_index "$seg") $(date +%s%N)" >>"$T/kills"
  wait_for 60 "a new recorder after kill $k" pid_changed "$pid"
  never_error
done
wait_for 60 "RECORDING" state_is RECORDING
# The keep-all publisher is not left blocked by the last killed recorder (it waits out that
# recorder's lease, then goes on): the run after the last kill receives its messages. Waited for
# here, before the SIGSTOP below blocks it again, so the check after the run cannot race it.
stall_flowing() {
  "$RG_HELPERS/helper_rec_stats" "$(jst .stats_path)" |
    awk '$1 == "topic" && $2 == "/stall" { for (i = 3; i < NF; i += 2) if ($i == "messages" && $(i + 1) > 0) f = 1 }
         END { exit !f }'
}
wait_for 30 "the keep-all publisher resumed after the last kill" stall_flowing
# SIGSTOP: a hang, found by the health check and replaced
pid=$(recorder_pid)
kill -STOP "$pid"
wait_for 60 "the stopped recorder replaced" pid_changed "$pid"
jhas 'select(.event=="transition" and .trigger=="unhealthy")' "$bagA/recguard.jsonl" || fail "SIGSTOP not seen as a hang"
wait_for 60 "RECORDING after the hang" state_is RECORDING
sleep 1
# daemon kill -9 right after a split request: the next daemon finishes the split
"$RECGUARD" split --socket "$SOCK" --no-wait >/dev/null
kill_daemon
start_daemon --set restart.backoff_initial=1s
wait_for 60 "RECORDING after the interrupted split" state_is RECORDING
[ "$(jst .bag_dir)" = "$bagA" ] || fail "the split left the bag"
sleep 1
# daemon kill -9 right after a stop request: the next daemon finishes the stop, stays IDLE
"$RECGUARD" stop --socket "$SOCK" --no-wait >/dev/null
kill_daemon
start_daemon --set restart.backoff_initial=1s
wait_for 60 "IDLE after the interrupted stop" state_is IDLE
never_error
kill -INT "$PUB_SEQ" "$PUB_STALL"
wait "$PUB_SEQ" 2>/dev/null || true
wait "$PUB_STALL" 2>/dev/null || true
grep -q '^sent' "$T/pub_stall.log" || fail "keep-all publisher did not finish: $(tail -n 3 "$T/pub_stall.log")"
stop_daemon
validate_bag "$bagA" /seq
nA=$NSEG
# the keep-all publisher was not left blocked by the last killed recorder: the next run got
# its messages
after=$(( $(tail -n 1 "$T/kills" | awk '{print $1}') + 1 ))
for f in $(segments_of "$bagA"); do
  [ "$(seg_index "$f")" = "$after" ] || continue
  node_e2e rec_seq.mjs --topic /stall --ros-field data "$(seg_file "$f")" >"$T/stall.json" ||
    fail "no keep-all message recorded after the last kill"
  [ "$(jq .count "$T/stall.json")" -gt 0 ] || fail "the keep-all publisher did not resume after the last kill"
done
losses=""
while read -r idx _; do
  l=$(loss_after "$idx")
  [ "$l" = na ] || losses="$losses $l"
done <"$T/kills"
# The keep-all publisher's stalls: one per kill at most (a stall under 200 ms is not printed).
stalls=$(awk '/^stall/ {print $2}' "$T/pub_stall.log" | sort -n | tr '\n' ' ')
max_stall=$(awk '/^max_stall_ms/ {print $2}' "$T/pub_stall.log")
loss_stats=$(echo "$losses" | tr ' ' '\n' | awk 'NF {n++; s += $1; if ($1 > m) m = $1} END {
  if (n) printf "%d %.0f %d", n, s / n, m; else print "0 0 0"}')
read -r nloss mean_loss max_loss <<<"$loss_stats"
log "phase A: $nA segments valid; loss per kill over $nloss kills: mean $mean_loss, max $max_loss messages at $SEQ_HZ Hz; keep-all stalls (ms): ${stalls:-none}; longest $max_stall ms"

# ---- phase B: a wrapper recorder with children, one of them escaped
log "phase B: a wrapper recorder with children"
rm -rf "$OUT"
# shellcheck disable=SC2016 # expanded by the wrapper's shell
WRAP='"$0" record -a -o "$1" &
( exec -a "$1.child" sleep 100000 ) &
( setsid bash -c '\''exec -a "$0.escaped" sleep 100000'\'' "$1" & )
wait'
start_daemon --set "post_crash_hook=[$RECGUARD, recover, '{segment}']" -- bash -c "$WRAP" "$RECGUARD" '{segment}'
wait_for 30 "RECORDING" state_is RECORDING
bagB=$(jst .bag_dir)
"$PUB" --topic rt/seq --rate "$SEQ_HZ" --duration 100000 --match-timeout 60 >"$T/pub_b.log" 2>&1 &
PUB_B=$!
wait_for 60 "publisher matched" 'grep -q matched "$T/pub_b.log"'
for k in 1 2; do
  wait_for 60 "RECORDING" state_is RECORDING
  wait_for 10 "the wrapper's tree" '[ "$(jst .health.processes)" -ge 4 ]'
  sleep 1
  pid=$(recorder_pid)
  kill -KILL "$pid"
  wait_for 60 "a new wrapper after kill $k" pid_changed "$pid"
  wait_for 30 "RECORDING" state_is RECORDING
  wait_for 10 "the new tree" '[ "$(jst .health.processes)" -ge 4 ]'
  # only the new run's processes are alive: wrapper, recorder, child, escapee (a post-crash
  # hook may still be running for a moment)
  wait_for 60 "only the new run's 4 processes" '[ "$(old_run_procs "$PUB_B")" = 4 ]'
done
"$RECGUARD" stop --socket "$SOCK" --timeout 60 >/dev/null || fail "stop"
wait_for 30 "no process left after stop" '[ "$(old_run_procs "$PUB_B")" = 0 ]'
kill -INT "$PUB_B"
wait "$PUB_B" 2>/dev/null || true
never_error
stop_daemon
validate_bag "$bagB" /seq
nB=$NSEG
log "phase B: $nB segments valid, no process of an old run left"

# ---- phase C: a full disk (needs root for the tmpfs)
nC=skipped
mkdir -p "$T/disk"
if mount -t tmpfs -o size=16m tmpfs "$T/disk" 2>/dev/null; then
  log "phase C: a 16 MiB tmpfs filled by the built-in recorder"
  rm -rf "$OUT"
  OUT="$T/disk/out"
  JOURNAL="$T/state/journal.jsonl"
  head -c $((6 * 1024 * 1024)) /dev/zero >"$T/disk/filler"
  start_daemon --state-dir "$T/state" --set disk.stop_free=2MiB --set disk.warning_free=4MiB \
    --set disk.ttf_limit=off
  wait_for 30 "RECORDING" state_is RECORDING
  bagC=$(jst .bag_dir)
  "$PUB" --topic rt/seq --pad 2000 --rate "$SEQ_HZ" --duration 100000 --match-timeout 60 >"$T/pub_c.log" 2>&1 &
  PUB_C=$!
  wait_for 120 "DISK_LOW" state_is DISK_LOW
  seg=$(jst .segment)
  rm "$T/disk/filler"
  wait_for 60 "recording resumed by itself" '[ "$(jst .segment)" != "$seg" ]'
  wait_for 120 "DISK_LOW again" state_is DISK_LOW
  kill -INT "$PUB_C"
  wait "$PUB_C" 2>/dev/null || true
  "$RECGUARD" stop --socket "$T/run/ctl.sock" --timeout 30 >/dev/null || fail "stop"
  never_error
  stop_daemon
  validate_bag "$bagC" /seq
  nC=$NSEG
  ! jhas 'select(.event=="restart_scheduled")' "$bagC/recguard.jsonl" || fail "a restart onto the full disk"
  log "phase C: $nC segments valid, paused and resumed by itself"
else
  log "phase C skipped: cannot mount a tmpfs (not root?)"
fi

loss_ms() { awk -v m="$1" -v hz="$SEQ_HZ" 'BEGIN {printf "%.0f", m * 1000 / hz}'; }
summary=$(jq -n --argjson kills "$KILLS" --argjson nloss "$nloss" --arg mean "$(loss_ms "$mean_loss")" \
  --arg max "$(loss_ms "$max_loss")" --arg stall "${max_stall:-0}" --arg stalls "$stalls" \
  --argjson segA "$nA" --argjson segB "$nB" --arg segC "$nC" \
  '{kills: $kills, kills_measured: $nloss, loss_per_kill_ms: {mean: ($mean | tonumber), max: ($max | tonumber)},
    keepall_stall_ms: {max: ($stall | tonumber), each: ($stalls | split(" ") | map(select(. != "") | tonumber))},
    error_state: false, segments_valid: {builtin: $segA, wrapper: $segB, disk: ($segC | tonumber? // $segC)}}')
echo "$summary"
[ -z "${CHAOS_REPORT:-}" ] || echo "$summary" >"$CHAOS_REPORT"
log "PASS"
