#!/usr/bin/env bash
# kill -9 mid-recording, then `recguard recover`: the recovered file holds a contiguous prefix of
# the publisher's samples (sequence 0..K, nothing missing in between), and K reaches every sample
# published more than --max-chunk-age before the kill (plus a scheduling allowance for this
# shared machine). Also: what recover leaves passes @mcap/core with CRCs.
source "$(dirname "$0")/rec_lib.sh"
need_node
command -v ddsperf >/dev/null || { echo "ddsperf not installed" >&2; exit 77; }
D=$ROS_DOMAIN_ID
AGE_MS=200
SLACK_MS=800   # writer thread and fdatasync scheduling on a loaded 2-core machine
start_recorder "$T/rec.log" -a --include-dds -o "$T/bag" --max-chunk-age $AGE_MS --compression-format zstd
wait_for 20 test -s "$T/bag/recorder.stats" || fail "no stats file"
ddsperf -i "$D" -Q minmatch:1 -Q initwait:1 pub 1000Hz size 1k > "$T/prime.log" 2>&1 || true
wait_for 20 topic_known "$T/bag/recorder.stats" DDSPerfRDataKS || fail "recorder never subscribed"
ddsperf -i "$D" -D 30 sub > "$T/sub.log" 2>&1 &
PIDS+=($!)
ddsperf -i "$D" -D 30 -Q minmatch:1 -Q initwait:20 pub 1000Hz size 1k > "$T/pub.log" 2>&1 &
PIDS+=($!)
# Let it record for a while (condition: a few thousand samples through the recorder).
wait_for 30 topic_ge "$T/bag/recorder.stats" DDSPerfRDataKS written 2500 ||
  fail "recording did not progress"
kill_ns=$(date +%s%N)
kill -9 "$REC_PID"
wait "$REC_PID" 2>/dev/null || true
seg="$T/bag/bag_0.mcap"
[ -s "$seg" ] || fail "no segment"
rc=0
"$RECGUARD" recover "$seg" -o "$T/recovered.mcap" > "$T/recover.log" 2>&1 || rc=$?
cat "$T/recover.log"
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "recover exited $rc"
validate "$T/recovered.mcap" > "$T/v.json" || fail "recovered file invalid: $(cat "$T/v.json")"
rec_seq --topic DDSPerfRDataKS "$T/recovered.mcap" > "$T/seq.json"
cat "$T/seq.json"
[ "$(json "$T/seq.json" j.contiguous)" = true ] || fail "recovered samples are not a contiguous prefix"
[ "$(json "$T/seq.json" j.first)" = 0 ] || fail "recovered samples do not start at 0"
# The newest recovered sample's publish time vs the kill time.
last_pub=$(cd "$RG_E2E_DIR" && node --input-type=module -e '
  import { McapIndexedReader } from "@mcap/core";
  import { loadDecompressHandlers } from "@mcap/support";
  import { readFileSync } from "node:fs";
  const b = readFileSync(process.argv[1]);
  const r = await McapIndexedReader.Initialize({ readable: { size: async () => BigInt(b.length), read: async (o, n) => b.subarray(Number(o), Number(o + n)) }, decompressHandlers: await loadDecompressHandlers() });
  let last = 0n;
  for await (const m of r.readMessages({ topics: ["DDSPerfRDataKS"] })) if (m.publishTime > last) last = m.publishTime;
  console.log(last.toString());' "$T/recovered.mcap")
at_risk_ms=$(( (kill_ns - last_pub) / 1000000 ))
echo "newest recovered sample published ${at_risk_ms} ms before the kill (max-chunk-age ${AGE_MS} ms)"
[ "$at_risk_ms" -le $((AGE_MS + SLACK_MS)) ] || fail "lost ${at_risk_ms} ms of data, more than max-chunk-age + ${SLACK_MS} ms"
echo "ok: kill -9 lost at most ${at_risk_ms} ms; recovered $(json "$T/seq.json" j.count) contiguous samples"
