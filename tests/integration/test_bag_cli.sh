#!/usr/bin/env bash
# recguard info / doctor / recover on the real rosbag2 bags and on files our writer made,
# whole, cut short and corrupted: counts, exit codes (0 / 1 / 2 / 3), never overwriting.
set -euo pipefail
: "${RECGUARD:?}" "${RG_HELPERS:?}" "${RG_FIXTURES:?}"
[ -d "$RG_FIXTURES/talker" ] || { echo "fixtures not found at $RG_FIXTURES" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# run CMD...: sets $out, $err, $rc without tripping set -e
run() { set +e; "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
field() { printf '%s\n' "$out" | sed -n "s/^$1: *//p" | head -1; }

# --- info on real rosbag2 bags: counts match their metadata.yaml / statistics
run "$RECGUARD" info "$RG_FIXTURES/talker"
[ $rc -eq 0 ] || fail "info talker rc=$rc: $err"
[ "$(field Messages)" = 20 ] || fail "talker messages: $out"
[ "$(field 'Storage id')" = mcap ] || fail "storage id"
grep -q 'Topic: /topic | Type: std_msgs/msg/String | Count: 10 | Serialization Format: cdr' <<<"$out" || fail "talker /topic line: $out"
grep -q 'Topic: /rosout | Type: rcl_interfaces/msg/Log | Count: 10' <<<"$out" || fail "talker /rosout line"
grep -q '^Duration: *4.531096768s' <<<"$out" || fail "talker duration: $out"
run "$RECGUARD" info "$RG_FIXTURES/wbag"
[ $rc -eq 0 ] && [ "$(field Messages)" = 6074 ] || fail "wbag: $out $err"
[ "$(printf '%s\n' "$out" | grep -c 'wbag_[0-4].mcap')" = 5 ] || fail "wbag files: $out"
grep -q 'Topic: AAA | Type: std_msgs/msg/String | Count: 804 ' <<<"$out" || fail "wbag AAA"
run "$RECGUARD" info "$RG_FIXTURES/cdr_test"
[ $rc -eq 0 ] && [ "$(field Messages)" = 7 ] || fail "cdr_test: $out"
run "$RECGUARD" info "$RG_FIXTURES/multiple_files"
[ $rc -eq 0 ] && [ "$(field Messages)" = 3177 ] || fail "multiple_files: $out"
printf '%s\n' "$out" | grep -A2 '^Files:' | grep -q multiple_files_2.mcap || fail "multiple_files order: $out"
run "$RECGUARD" info "$RG_FIXTURES/only_topics.mcap"
[ $rc -eq 0 ] && [ "$(field Messages)" = 7 ] || fail "only_topics: $out"

# --- doctor: every real file is clean
for f in "$RG_FIXTURES"/*/*.mcap "$RG_FIXTURES"/only_topics.mcap; do
  run "$RECGUARD" doctor "$f"
  [ $rc -eq 0 ] || fail "doctor $f: $out"
done

# --- our own files: info (with drops), doctor, recover
"$RG_HELPERS/helper_mcap_write" "$tmp/ours.mcap" --compression zstd --count 3000 --chunk-size 4096
run "$RECGUARD" info "$tmp/ours.mcap"
[ $rc -eq 0 ] && [ "$(field Messages)" = 4000 ] || fail "ours info: $out"
grep -q 'Drops: *Topic: /chatter | Dropped: 7 | Lost: 3 | Rejected: 1$' <<<"$out" || fail "drops line: $out"
run "$RECGUARD" doctor "$tmp/ours.mcap"
[ $rc -eq 0 ] && grep -q 'clean, 0 defects' <<<"$out" || fail "doctor ours: $out"

# cut in the middle: doctor names the defect, info counts by scanning, recover is lossy (3)
size=$(stat -c %s "$tmp/ours.mcap")
# a cut inside a chunk (not inside a message index, which would lose nothing)
for i in $(seq 0 40); do
  head -c $((size / 2 + 53 * i)) "$tmp/ours.mcap" > "$tmp/cut.mcap"
  run "$RECGUARD" doctor "$tmp/cut.mcap"
  [ $rc -eq 1 ] || fail "doctor cut rc=$rc"
  grep -Eq '^ +[0-9]+  defect  truncated: Chunk record' <<<"$out" && break
done
grep -Eq '^ +[0-9]+  defect  truncated: Chunk record' <<<"$out" || fail "doctor cut: $out"
cp "$tmp/cut.mcap" "$tmp/cut.orig"
grep -q 'missing-footer' <<<"$out" || fail "doctor cut footer: $out"
run "$RECGUARD" info "$tmp/cut.mcap"
[ $rc -eq 0 ] || fail "info cut rc=$rc: $err"
n_scan=$(field Messages)
[ "$n_scan" -gt 1000 ] && [ "$n_scan" -lt 4000 ] || fail "info cut count $n_scan"
grep -q 'counted by scanning' <<<"$out" || fail "info cut note: $out"
run "$RECGUARD" recover "$tmp/cut.mcap"
[ $rc -eq 3 ] || fail "recover cut rc=$rc: $out $err"
[ -f "$tmp/cut.recovered.mcap" ] || fail "default output name"
cmp -s "$tmp/cut.mcap" "$tmp/cut.orig" || fail "input modified"
grep -q 'result: lossy' <<<"$out" || fail "recover text: $out"
run "$RECGUARD" doctor "$tmp/cut.recovered.mcap"
[ $rc -eq 0 ] || fail "recovered file not clean: $out"
run "$RECGUARD" info "$tmp/cut.recovered.mcap"
[ "$(field Messages)" = "$n_scan" ] || fail "recovered count $(field Messages) != scanned $n_scan"
# never overwrites: a second run fails and leaves both files alone
cp "$tmp/cut.recovered.mcap" "$tmp/rec.copy"
run "$RECGUARD" recover "$tmp/cut.mcap"
[ $rc -eq 1 ] || fail "second recover rc=$rc"
grep -q "cut.recovered.mcap" <<<"$err" || fail "error does not name the file: $err"
cmp -s "$tmp/cut.recovered.mcap" "$tmp/rec.copy" || fail "output overwritten"
# a bag directory with a crashed segment and its recovered copy: the copy stands in for it
mkdir "$tmp/bag"
cp "$tmp/ours.mcap" "$tmp/bag/bag_0.mcap"
cp "$tmp/cut.mcap" "$tmp/bag/bag_1.mcap"
run "$RECGUARD" recover "$tmp/bag/bag_1.mcap"
[ $rc -eq 3 ] || fail "recover bag_1 rc=$rc"
run "$RECGUARD" info "$tmp/bag"
[ "$(field Messages)" = $((4000 + n_scan)) ] || fail "bag total: $out"
grep -q 'bag_1.recovered.mcap' <<<"$out" || fail "bag files: $out"
! grep -q 'bag_1.mcap' <<<"$out" || fail "crashed segment listed too: $out"

# complete file: lossless (0); cut at the summary: lossless, all messages
run "$RECGUARD" recover "$tmp/ours.mcap" -o "$tmp/full.mcap"
[ $rc -eq 0 ] && grep -q '4000 messages' <<<"$out" || fail "recover whole rc=$rc: $out"
head -c $((size - 40)) "$tmp/ours.mcap" > "$tmp/nofooter.mcap"
run "$RECGUARD" recover "$tmp/nofooter.mcap" --compression lz4
[ $rc -eq 0 ] && grep -q '4000 messages' <<<"$out" || fail "recover summary-cut rc=$rc: $out"
# corrupt chunk: lossy, the rest kept
cp "$tmp/ours.mcap" "$tmp/corrupt.mcap"
printf 'XXXX' | dd of="$tmp/corrupt.mcap" bs=1 seek=3000 conv=notrunc status=none
run "$RECGUARD" recover "$tmp/corrupt.mcap"
[ $rc -eq 3 ] && grep -q 'chunk at' <<<"$out" || fail "recover corrupt rc=$rc: $out"
run "$RECGUARD" doctor "$tmp/corrupt.mcap"
[ $rc -eq 1 ] && grep -Eq 'chunk-bad-(crc|compression)' <<<"$out" || fail "doctor corrupt: $out"

# not MCAP at all: 1 with the file named; usage errors: 2; --help: 0
echo "just text" > "$tmp/text.mcap"
for verb in info doctor recover; do
  run "$RECGUARD" $verb "$tmp/text.mcap"
  [ $rc -eq 1 ] || fail "$verb text rc=$rc"
  grep -q "text.mcap" <<<"$out$err" || fail "$verb does not name the file: $out $err"
  run "$RECGUARD" $verb
  [ $rc -eq 2 ] || fail "$verb no args rc=$rc"
  run "$RECGUARD" $verb --bogus x
  [ $rc -eq 2 ] || fail "$verb bad option rc=$rc"
  run "$RECGUARD" $verb --help
  [ $rc -eq 0 ] && grep -q "usage: recguard $verb" <<<"$out" || fail "$verb --help"
done
run "$RECGUARD" info "$tmp/missing"
[ $rc -eq 1 ] && grep -q "$tmp/missing" <<<"$err" || fail "info missing: $err"
echo "ok"
