#!/usr/bin/env bash
# rdds against publishers that come later and differ: a late joiner is recorded completely; a
# best-effort publisher joining a reliable topic makes rdds recreate its reader as best effort
# (the writer sees it), and rdds returns to reliable when it leaves; a partitioned publisher is
# matched (the subscriber copies the partition), then a default-partition one as well;
# transient-local history reaches a reader started after it was published; an XCDR2 writer matches.
. "$(dirname "$0")/rdds_lib.sh"
P="$RG_HELPERS/helper_rdds_pub"
"$RG_HELPERS/helper_rdds_sub" -a --timeout 110 --progress "$TMP/prog.json" > "$TMP/sub.out" 2> "$TMP/sub.err" &
SUB=$!; PIDS+=($SUB)
wait_line "$TMP/sub.out" '^ready$'

# 1. Late joiner: the publisher starts after the recorder; every message arrives, once.
"$P" --topic rt/late --prefix L --count 40 --rate 200 > "$TMP/late.out" || fail "late publisher exit $?"
grep -q '^matched reader reliable=1 transient_local=0 partitions=$' "$TMP/late.out" || fail "late: $(cat "$TMP/late.out")"
wait_json "$TMP/prog.json" 't("/late").count >= 40'

# 2. Mixed QoS on /mixed: reliable A runs throughout; best-effort B joins, then leaves.
"$P" --topic rt/mixed --prefix A --duration 60 --rate 50 > "$TMP/a.out" &
A=$!; PIDS+=($A)
wait_line "$TMP/sub.out" '^topic [0-9]+ /mixed std_msgs/msg/String .* pubs=1 reliable=1$'
wait_json "$TMP/prog.json" '(t("/mixed").by_prefix.A||0) >= 5'
# B only publishes once a reader matched it: a reliable reader never would.
"$P" --topic rt/mixed --prefix B --best-effort --count 40 --rate 100 > "$TMP/b.out" || fail "best-effort publisher exit $? (3 = no reader matched it)"
grep -q '^matched reader reliable=0 ' "$TMP/b.out" || fail "B: $(cat "$TMP/b.out")"
grep -Eq '^topic [0-9]+ /mixed .* pubs=2 reliable=1$' "$TMP/sub.out" || fail "no 2-publisher QoS line: $(cat "$TMP/sub.out")"
wait_json "$TMP/prog.json" '(t("/mixed").by_prefix.B||0) >= 1'
# B gone: back to a reliable reader, which a new reliable publisher C sees.
wait_line "$TMP/sub.out" '^topic [0-9]+ /mixed .* pubs=1 reliable=1$'
[ "$(grep -Ec '^topic [0-9]+ /mixed .* pubs=1 reliable=1$' "$TMP/sub.out")" -ge 2 ] || fail "no return to one reliable publisher: $(cat "$TMP/sub.out")"
"$P" --topic rt/mixed --prefix C --count 20 --rate 100 > "$TMP/c.out" || fail "C exit $?"
grep -q '^matched reader reliable=1 ' "$TMP/c.out" || fail "C: reader not reliable again: $(cat "$TMP/c.out")"
wait_json "$TMP/prog.json" '(t("/mixed").by_prefix.C||0) >= 20'
aprev=$(jget "$TMP/prog.json" 't("/mixed").by_prefix.A')
wait_json "$TMP/prog.json" "t(\"/mixed\").by_prefix.A > $aprev" # A still flows after both switches
kill -TERM $A; wait_exit $A 30; expect_eq "A exit" "$WAIT_RC" 0
asent=$(sed -n 's/^sent //p' "$TMP/a.out")

# 3. Partitions: zone1 first, then the default partition on the same topic.
# P stays (lingers) while Q joins, so the subscriber needs both partitions at once.
"$P" --topic rt/parted --prefix P --partition zone1 --count 30 --linger 60 > "$TMP/p.out" &
PP=$!; PIDS+=($PP)
wait_line "$TMP/p.out" '^sent 30$'
grep -q "^matched reader reliable=1 transient_local=0 partitions='zone1'$" "$TMP/p.out" || fail "P: $(cat "$TMP/p.out")"
"$P" --topic rt/parted --prefix Q --count 30 > "$TMP/q.out" || fail "default-partition publisher exit $?"
grep -q "^matched reader reliable=1 transient_local=0 partitions='','zone1'$" "$TMP/q.out" || fail "Q: $(cat "$TMP/q.out")"
wait_json "$TMP/prog.json" '(t("/parted").by_prefix.P||0) >= 30 && (t("/parted").by_prefix.Q||0) >= 30'
kill -TERM $PP; wait_exit $PP 30

# 4. Transient-local: published with no reader around, then a second recorder starts.
"$P" --topic rt/latched --prefix T --transient-local --depth 10 --count 5 --min-match 0 --linger 60 > "$TMP/t.out" &
T=$!; PIDS+=($T)
wait_line "$TMP/t.out" '^sent 5$'
"$RG_HELPERS/helper_rdds_sub" /latched --timeout 60 --expect /latched=5 --linger 0.5 > "$TMP/sub2.out" 2> "$TMP/sub2.err" &
SUB2=$!; PIDS+=($SUB2)
wait_exit $SUB2 60
expect_eq "late transient-local reader" "$(jget "$TMP/sub2.out" 't("/latched").count')" 5
grep -Eq '^topic [0-9]+ /latched .* pubs=1 reliable=1$' "$TMP/sub2.out" || fail "latched: $(cat "$TMP/sub2.out")"
kill -TERM $T; wait_exit $T 30

# 5. An XCDR2 writer is matched too, and its bytes arrive with their own header (00 07: CDR2 LE).
"$P" --topic rt/x2 --xcdr2 --count 10 > "$TMP/x2.out" || fail "XCDR2 publisher exit $?"
wait_json "$TMP/prog.json" 't("/x2").count >= 10'

kill -TERM $SUB; wait_exit $SUB 30; expect_eq "helper exit" "$WAIT_RC" 0
expect_eq "/x2 count" "$(jget "$TMP/sub.out" 't("/x2").count')" 10
expect_eq "/x2 header" "$(jget "$TMP/sub.out" 't("/x2").first_hex.slice(0,4)')" 0007
expect_eq "/late count" "$(jget "$TMP/sub.out" 't("/late").count')" 40
expect_eq "/parted P" "$(jget "$TMP/sub.out" 't("/parted").by_prefix.P')" 30
expect_eq "/parted Q" "$(jget "$TMP/sub.out" 't("/parted").by_prefix.Q')" 30
expect_eq "/mixed C" "$(jget "$TMP/sub.out" 't("/mixed").by_prefix.C')" 20
b=$(jget "$TMP/sub.out" 't("/mixed").by_prefix.B')
[ "$b" -ge 1 ] && [ "$b" -le 40 ] || fail "/mixed B count $b not in 1..40"
a=$(jget "$TMP/sub.out" 't("/mixed").by_prefix.A')
[ "$a" -le "$asent" ] || fail "/mixed A: $a recorded but only $asent sent (duplicates)"
expect_eq "/latched in the first recorder" "$(jget "$TMP/sub.out" 't("/latched").count')" 5
pass "A: $a of $asent recorded across two reader switches"
