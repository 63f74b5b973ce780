#!/usr/bin/env bash
# rdds's topic selection on live traffic: hidden topics only with --include-hidden, services and
# other plain DDS topics only with --include-dds, ros_discovery_info only when named, regex and
# exclude on the recorded name. Each publisher waits for exactly the recorders that should match
# it, and each recorder's final counts show which topics it took.
. "$(dirname "$0")/rdds_lib.sh"
P="$RG_HELPERS/helper_rdds_pub"
S="$RG_HELPERS/helper_rdds_sub"
"$S" -a --timeout 100 > "$TMP/all.out" 2>&1 &                                           PIDS+=($!); ALL=$!
"$S" -a --include-hidden --include-dds --timeout 100 --progress "$TMP/every.json" > "$TMP/every.out" 2>&1 & PIDS+=($!); EVERY=$!
"$S" --regex '^/vis' --exclude 'ible2$' --timeout 100 > "$TMP/re.out" 2>&1 &              PIDS+=($!); RE=$!
"$S" ros_discovery_info --timeout 100 > "$TMP/rdi.out" 2>&1 &                              PIDS+=($!); RDI=$!
for f in all every re rdi; do wait_line "$TMP/$f.out" '^ready$'; done

pub() { # pub DDS_TOPIC READERS
  "$P" --topic "$1" --prefix X --count 10 --rate 200 --min-match "$2" > "$TMP/pub.out" || fail "publisher on $1 exit $?: $(cat "$TMP/pub.out")"
  expect_eq "readers matched on $1" "$(grep -c '^matched reader ' "$TMP/pub.out")" "$2"
}
pub rt/visible 3                 # all, every, re
pub rt/visible2 2                # all, every (re excludes it)
pub rt/_hidden 1                 # every
pub rt/ns/_private/data 1        # every
pub ros_discovery_info 1         # rdi (named), not every
pub rq/add_two_intsRequest 1     # every (a service: plain DDS)
pub plain_dds_topic 1            # every
wait_json "$TMP/every.json" '["/visible","/visible2","/_hidden","/ns/_private/data","rq/add_two_intsRequest","plain_dds_topic"].every(n => t(n).count >= 10)'
kill -TERM $ALL $EVERY $RE $RDI
for p in $ALL $EVERY $RE $RDI; do wait_exit $p 30; expect_eq "helper exit" "$WAIT_RC" 0; done

names() { jget "$1" 'Object.keys(j.topics).sort().join(" ")'; }
expect_eq "-a" "$(names "$TMP/all.out")" "/visible /visible2"
expect_eq "-a --include-hidden --include-dds" "$(names "$TMP/every.out")" \
  "/_hidden /ns/_private/data /visible /visible2 plain_dds_topic rq/add_two_intsRequest"
expect_eq "--regex ^/vis --exclude ible2\$" "$(names "$TMP/re.out")" "/visible"
expect_eq "named ros_discovery_info" "$(names "$TMP/rdi.out")" "ros_discovery_info"
for f in all every re rdi; do
  expect_eq "$f: 10 per topic" "$(jget "$TMP/$f.out" 'Object.values(j.topics).every(v => v.count === 10)')" true
done
grep -Eq '^topic [0-9]+ rq/add_two_intsRequest std_msgs::msg::dds_::String_ dds=rq/add_two_intsRequest .* ros=0 ' "$TMP/every.out" \
  || fail "service recorded under its DDS name and type: $(cat "$TMP/every.out")"
pass
