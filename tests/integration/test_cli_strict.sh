#!/usr/bin/env bash
# Every verb parses its command line strictly: a number that is not one (`--timeout abc`,
# `--timeout 5x`, `--count -1`, `--max abc`) is a usage error (exit 2) naming the option and the
# value, a missing value is reported as missing, a config floor is refused at the command line,
# and a long `--set` value reaches the daemon whole (never cut at some buffer size).
source "$(dirname "$0")/guard_lib.sh"

expect() { # expect RC "needle" CMD...: CMD exits RC and says needle on stderr
  local want=$1 needle=$2 rc=0
  shift 2
  "$@" >"$T/expect.out" 2>"$T/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$* exited $rc, expected $want: $(cat "$T/err")"
  grep -qF -- "$needle" "$T/err" || fail "$*: message lacks '$needle': $(cat "$T/err")"
}
for verb in status start stop split watch; do
  expect 2 "--timeout 'abc': expected whole seconds" "$RECGUARD" "$verb" --socket "$SOCK" --timeout abc
  expect 2 "--timeout '5x'" "$RECGUARD" "$verb" --socket "$SOCK" --timeout 5x
  expect 2 "--timeout '-1'" "$RECGUARD" "$verb" --socket "$SOCK" --timeout -1
  expect 2 "--timeout needs a value" "$RECGUARD" "$verb" --socket "$SOCK" --timeout
  expect 2 "--socket needs a value" "$RECGUARD" "$verb" --socket
done
expect 2 "--reason: longer than 255 bytes" "$RECGUARD" stop --socket "$SOCK" --reason "$(head -c 300 /dev/zero | tr '\0' r)"
expect 2 "--count '-1': expected a whole number" "$RECGUARD" demo --count -1
expect 2 "--count needs a value" "$RECGUARD" demo --count
expect 2 "--rate-scale '0x10'" "$RECGUARD" demo --rate-scale 0x10
expect 2 "--duration 'inf'" "$RECGUARD" demo --duration inf
ROS_DOMAIN_ID=abc expect 2 "ROS_DOMAIN_ID=abc: expected an integer 0..232" "$RECGUARD" demo --count 1
expect 2 "--max 'abc'" "$RECGUARD" doctor --max abc x.mcap
expect 2 "--max needs a value" "$RECGUARD" doctor x.mcap --max
expect 2 "-o needs a value" "$RECGUARD" recover x.mcap -o
expect 2 "--set needs a value" "$RECGUARD" daemon --set
expect 2 "--output needs a value" "$RECGUARD" daemon --output
expect 1 "--set check_interval: '1ns' is below the minimum of 50ms" "$RECGUARD" daemon --socket "$SOCK" --set check_interval=1ns
expect 1 "no argument holds {segment}" "$RECGUARD" daemon --socket "$SOCK" -- "$FAKE" --out /tmp/fixed.mcap
[ ! -e "$SOCK" ] || fail "a refused daemon opened its socket"

# a 2000-byte --set value arrives whole
pad=$(head -c 2000 /dev/zero | tr '\0' p)
start_daemon --idle --set "alert.command=[/bin/true, '$pad']" -- "$FAKE" --out '{segment}'
wait_for 20 "IDLE" state_is IDLE
got=$(jq -r 'select(.config) | .config.alert.command[1]' "$OUT/journal.jsonl" | head -n 1)
[ "${#got}" = 2000 ] || fail "--set value arrived with ${#got} bytes, sent 2000"
stop_daemon
log "PASS"
