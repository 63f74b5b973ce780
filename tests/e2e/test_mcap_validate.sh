#!/usr/bin/env bash
# Files written by our MCAP writer (helper_mcap_write), with each compression, read by the
# independent readers in validate_mcap.mjs (@mcap/core indexed + streaming with CRCs, rosmsg2
# CDR decoding): every message must decode to exactly the value written. Also checks that the
# validator itself rejects a corrupt chunk and a cut-short file, and accepts the real rosbag2
# fixtures.
set -euo pipefail
: "${RG_HELPERS:?}" "${RG_E2E_DIR:?}" "${RG_FIXTURES:?}"
[ -d "$RG_FIXTURES/talker" ] || { echo "fixtures not found at $RG_FIXTURES (set -DRG_FIXTURES)" >&2; exit 1; }
if [ ! -d "$RG_E2E_DIR/node_modules/@mcap/core" ]; then
  echo "tests/e2e/node_modules missing: run scripts/deps.sh (npm ci)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
V="$RG_E2E_DIR/validate_mcap.mjs"

for comp in none lz4 zstd; do
  f="$tmp/w_$comp.mcap"
  "$RG_HELPERS/helper_mcap_write" "$f" --compression "$comp" --count 500 --chunk-size 2048
  node "$V" "$f" --expect-json "{\"compression\":[\"$( [ $comp = none ] && echo '' || echo $comp)\"]}" > "$tmp/$comp.json"
  # Check the decoded values against what the helper wrote, message by message (run from
  # the e2e dir so node resolves its node_modules).
  (cd "$RG_E2E_DIR" && COMP=$comp node --input-type=module -e '
    import { McapIndexedReader } from "@mcap/core";
    import { loadDecompressHandlers } from "@mcap/support";
    import { parse } from "@foxglove/rosmsg";
    import { MessageReader } from "@foxglove/rosmsg2-serialization";
    import { readFileSync } from "node:fs";
    const [json, file] = process.argv.slice(1);
    const s = JSON.parse(readFileSync(json, "utf8"));
    const fail = (m) => { console.error(`${process.env.COMP}: ${m}`); process.exit(1); };
    if (s.profile !== "ros2") fail(`profile ${s.profile}`);
    if (s.messageCount !== 500 + 167) fail(`messageCount ${s.messageCount}`);
    if (s.decoded !== s.messageCount || s.decodeErrors !== 0) fail(`decoded ${s.decoded}`);
    if (s.dataSectionCrc !== "ok") fail(`data CRC ${s.dataSectionCrc}`);
    const byTopic = Object.fromEntries(s.channels.map((c) => [c.topic, c]));
    if (byTopic["/chatter"]?.count !== 500 || byTopic["/chatter2"]?.count !== 167) fail("counts");
    if (byTopic["/chatter"].schemaName !== "std_msgs/msg/String") fail("schema name");
    if (byTopic["/chatter"].messageEncoding !== "cdr") fail("encoding");
    if (!byTopic["/chatter"].metadata.offered_qos_profiles) fail("qos metadata");
    if (s.samples["/chatter"].first.data !== "hello 0" || s.samples["/chatter"].last.data !== "hello 499") fail("samples");
    if (s.metadata[0]?.name !== "recguard_drops") fail("metadata");
    const loss = s.metadata.find((m) => m.name === "recguard_loss");
    if (loss?.metadata["/chatter"] !== "lost=3 rejected=1 drops=7") fail(`recguard_loss ${JSON.stringify(loss)}`);
    // Every value, in log-time order per topic.
    const bytes = readFileSync(file);
    const readable = { size: async () => BigInt(bytes.length), read: async (o, n) => bytes.subarray(Number(o), Number(o + n)) };
    const r = await McapIndexedReader.Initialize({ readable, decompressHandlers: await loadDecompressHandlers() });
    const dec = new MessageReader(parse(new TextDecoder().decode(r.schemasById.get(1).data), { ros2: true }));
    const next = { "/chatter": 0, "/chatter2": 0 };
    for await (const m of r.readMessages({ validateCrcs: true })) {
      const topic = r.channelsById.get(m.channelId).topic;
      const i = next[topic];
      const want = topic === "/chatter" ? `hello ${i}` : `second ${3 * i}`;
      const got = dec.readMessage(m.data).data;
      if (got !== want) fail(`${topic} #${i}: ${JSON.stringify(got)} != ${want}`);
      const t = 1700000000000000000n + BigInt(topic === "/chatter" ? i : 3 * i) * 1000000n;
      if (m.logTime !== t || m.publishTime !== t - 1000n) fail(`${topic} #${i}: times`);
      next[topic]++;
    }
    if (next["/chatter"] !== 500 || next["/chatter2"] !== 167) fail("message walk");
  ' "$tmp/$comp.json" "$f")
  echo "ok: $comp"
done

# The validator must be able to fail: a flipped byte inside a chunk, a cut-short file, and
# an expectation that does not hold.
f="$tmp/w_none.mcap"
cp "$f" "$tmp/corrupt.mcap"
printf 'Z' | dd of="$tmp/corrupt.mcap" bs=1 seek=700 conv=notrunc status=none
if node "$V" "$tmp/corrupt.mcap" > /dev/null 2>&1; then echo "corrupt chunk accepted" >&2; exit 1; fi
head -c 3000 "$f" > "$tmp/cut.mcap"
if node "$V" "$tmp/cut.mcap" > /dev/null 2>&1; then echo "cut-short file accepted" >&2; exit 1; fi
if node "$V" "$f" --expect-json '{"messageCount": 1}' > /dev/null 2>&1; then echo "wrong expectation accepted" >&2; exit 1; fi

# A cut-short file rebuilt by `recguard recover` is valid to the independent readers too,
# with every message recover reports and every message still decoding.
if [ -n "${RECGUARD:-}" ] && [ -x "$RECGUARD" ]; then
  for comp in none lz4 zstd; do
    f="$tmp/w_$comp.mcap"
    size=$(stat -c %s "$f")
    head -c $((size * 2 / 3)) "$f" > "$tmp/cut_$comp.mcap"
    set +e
    "$RECGUARD" recover "$tmp/cut_$comp.mcap" -o "$tmp/rec_$comp.mcap" > "$tmp/rec.out"
    rc=$?
    set -e
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || { echo "recover $comp rc=$rc" >&2; exit 1; }
    n=$(sed -n 's/.*: \([0-9]*\) messages from.*/\1/p' "$tmp/rec.out")
    [ "${n:-0}" -gt 100 ] || { echo "recover $comp kept only ${n:-0}" >&2; exit 1; }
    node "$V" "$tmp/rec_$comp.mcap" --expect-json "{\"messageCount\": $n, \"decoded\": $n, \"decodeErrors\": 0}" > /dev/null
  done
  echo "ok: recovered files"
fi

# Real rosbag2 files are valid to it as well (it is the same yardstick for both).
for f in "$RG_FIXTURES"/talker/*.mcap "$RG_FIXTURES"/wbag/*.mcap "$RG_FIXTURES"/cdr_test/*.mcap; do
  node "$V" "$f" > /dev/null
done
echo "ok: validator"
