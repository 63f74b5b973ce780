#!/usr/bin/env node
// validate_mcap.mjs — checks an MCAP file with independent readers and prints a JSON summary.
//
//   node validate_mcap.mjs FILE.mcap [--expect-json [JSON_OR_FILE]]
//
// 1. @mcap/core McapIndexedReader: footer, summary (summary CRC), every message through the
//    chunk indexes with chunk CRCs validated; statistics must match what was read.
// 2. @mcap/core McapStreamReader (validateCrcs): the whole file front to back; it must end
//    complete (trailing magic) and yield the same messages.
// 3. Data section CRC (DataEnd) recomputed with @foxglove/crc.
// 4. Every message whose schema encoding is ros2msg is decoded: @foxglove/rosmsg parses the
//    schema text (ros2 mode), @foxglove/rosmsg2-serialization's MessageReader reads the CDR.
//
// stdout: {file, profile, library, messageCount, streamMessageCount, chunkCount, compression,
//          statistics, dataSectionCrc, channels:[{id, topic, schemaName, schemaEncoding,
//          messageEncoding, count, metadata}], metadata:[{name, metadata}], decodeErrors,
//          decoded, samples:{topic:{first, last}}, errors:[...]}
// BigInt values are strings; byte arrays in samples become {bytes: length, head: [...]}.
// Exit 0 when valid; 1 on any CRC/parse/decode failure or unmet expectation; 2 on bad usage.
//
// --expect-json with an argument (inline JSON starting with "{", or a file holding it) also
// requires the summary to contain it: objects match by subset, arrays element-wise by subset
// (channels are matched by topic), scalars by equality. Without an argument it is accepted and
// changes nothing (the JSON summary is always printed).
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { parse as parseMsgDef } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { crc32 } from "@foxglove/crc";
import { open, readFile } from "node:fs/promises";

function usage(msg) {
  if (msg) process.stderr.write(`validate_mcap: ${msg}\n`);
  process.stderr.write("usage: node validate_mcap.mjs FILE.mcap [--expect-json [JSON_OR_FILE]]\n");
  process.exit(2);
}

const args = process.argv.slice(2);
let file;
let expectArg;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--expect-json") {
    if (i + 1 < args.length && !args[i + 1].startsWith("--")) expectArg = args[++i];
  } else if (args[i] === "--help" || args[i] === "-h") {
    usage();
  } else if (!file) {
    file = args[i];
  } else {
    usage(`unexpected argument ${args[i]}`);
  }
}
if (!file) usage("no file given");

const errors = [];
const toJson = (v) =>
  JSON.parse(
    JSON.stringify(v, (_k, x) => {
      if (typeof x === "bigint") return x.toString();
      if (ArrayBuffer.isView(x) && !(x instanceof DataView))
        return { bytes: x.length, head: Array.from(x.slice(0, 16), (e) => (typeof e === "bigint" ? e.toString() : e)) };
      if (x instanceof Map) return Object.fromEntries(x);
      return x;
    }),
  );

const decompressHandlers = await loadDecompressHandlers();
let fh;
try {
  fh = await open(file, "r");
} catch (e) {
  process.stderr.write(`validate_mcap: open(${file}): ${e.message}\n`);
  process.exit(1);
}
const size = BigInt((await fh.stat()).size);
const readable = {
  size: async () => size,
  read: async (offset, length) => {
    const buf = Buffer.alloc(Number(length));
    const { bytesRead } = await fh.read(buf, 0, Number(length), Number(offset));
    if (bytesRead !== Number(length)) throw new Error(`short read at ${offset}`);
    return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
  },
};

const summary = {
  file,
  profile: null,
  library: null,
  messageCount: 0,
  streamMessageCount: 0,
  chunkCount: 0,
  compression: [],
  statistics: null,
  dataSectionCrc: "absent",
  channels: [],
  metadata: [],
  decodeErrors: 0,
  decoded: 0,
  samples: {},
  errors,
};

// Decoders per schema id, built once.
const decoders = new Map();
function decoderFor(schema) {
  if (!schema || schema.encoding !== "ros2msg") return null;
  if (!decoders.has(schema.id)) {
    try {
      const text = new TextDecoder().decode(schema.data);
      decoders.set(schema.id, new MessageReader(parseMsgDef(text, { ros2: true })));
    } catch (e) {
      errors.push(`schema ${schema.id} (${schema.name}): cannot parse: ${e.message}`);
      decoders.set(schema.id, null);
    }
  }
  return decoders.get(schema.id);
}

const counts = new Map(); // channel id -> count (indexed read)
let reader;
try {
  reader = await McapIndexedReader.Initialize({ readable, decompressHandlers });
} catch (e) {
  errors.push(`indexed reader: ${e.message}`);
}

if (reader) {
  summary.profile = reader.header.profile;
  summary.library = reader.header.library;
  summary.chunkCount = reader.chunkIndexes.length;
  summary.compression = [...new Set(reader.chunkIndexes.map((c) => c.compression))];
  if (reader.statistics) summary.statistics = toJson(reader.statistics);
  try {
    for await (const msg of reader.readMessages({ validateCrcs: true })) {
      summary.messageCount++;
      counts.set(msg.channelId, (counts.get(msg.channelId) ?? 0) + 1);
      const channel = reader.channelsById.get(msg.channelId);
      const schema = channel ? reader.schemasById.get(channel.schemaId) : undefined;
      const dec = decoderFor(schema);
      if (!dec) continue;
      try {
        const value = dec.readMessage(msg.data);
        summary.decoded++;
        const s = (summary.samples[channel.topic] ??= { first: null, last: null });
        const v = toJson(value);
        if (s.first === null) s.first = v;
        s.last = v;
      } catch (e) {
        summary.decodeErrors++;
        if (summary.decodeErrors <= 5)
          errors.push(`decode ${channel.topic} log_time ${msg.logTime}: ${e.message}`);
      }
    }
  } catch (e) {
    errors.push(`indexed readMessages: ${e.message}`);
  }
  for (const [id, ch] of reader.channelsById) {
    const schema = reader.schemasById.get(ch.schemaId);
    summary.channels.push({
      id,
      topic: ch.topic,
      schemaName: schema?.name ?? null,
      schemaEncoding: schema?.encoding ?? null,
      messageEncoding: ch.messageEncoding,
      count: counts.get(id) ?? 0,
      metadata: Object.fromEntries(ch.metadata),
    });
  }
  const st = reader.statistics;
  if (st) {
    if (st.messageCount !== BigInt(summary.messageCount))
      errors.push(`statistics message_count ${st.messageCount} != ${summary.messageCount} read`);
    for (const [id, n] of st.channelMessageCounts)
      if (n !== BigInt(counts.get(id) ?? 0))
        errors.push(`statistics count for channel ${id}: ${n} != ${counts.get(id) ?? 0} read`);
  }
  try {
    for await (const m of reader.readMetadata()) summary.metadata.push({ name: m.name, metadata: Object.fromEntries(m.metadata) });
  } catch (e) {
    errors.push(`metadata: ${e.message}`);
  }
  // Data section CRC: every byte from the start of the file to the DataEnd record.
  if (reader.dataSectionCrc !== undefined) {
    const end = reader.footer.summaryStart - 13n;
    const data = await readable.read(0n, end);
    const got = crc32(data);
    if (got !== reader.dataSectionCrc) {
      errors.push(`data section CRC ${got} != DataEnd ${reader.dataSectionCrc}`);
      summary.dataSectionCrc = "bad";
    } else {
      summary.dataSectionCrc = "ok";
    }
  }
}

// Streaming pass over the whole file.
try {
  const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  const whole = await readFile(file);
  stream.append(new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength));
  for (let rec; (rec = stream.nextRecord()); ) if (rec.type === "Message") summary.streamMessageCount++;
  if (!stream.done()) errors.push(`stream reader: file incomplete (${stream.bytesRemaining()} bytes left unparsed)`);
  if (reader && summary.streamMessageCount !== summary.messageCount)
    errors.push(`stream reader saw ${summary.streamMessageCount} messages, indexed reader ${summary.messageCount}`);
} catch (e) {
  errors.push(`stream reader: ${e.message}`);
}
await fh.close();

// Expectations.
function subset(want, have, path) {
  if (want !== null && typeof want === "object" && !Array.isArray(want)) {
    if (have === null || typeof have !== "object") return [`${path}: expected an object`];
    return Object.entries(want).flatMap(([k, v]) => subset(v, have[k], `${path}.${k}`));
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) return [`${path}: expected an array`];
    return want.flatMap((w, i) => {
      // Channels are found by topic, other arrays by position.
      const h = w && typeof w === "object" && "topic" in w ? have.find((x) => x && x.topic === w.topic) : have[i];
      return h === undefined ? [`${path}[${i}]: missing`] : subset(w, h, `${path}[${i}]`);
    });
  }
  return want === have ? [] : [`${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`];
}
if (expectArg !== undefined) {
  let want;
  try {
    want = JSON.parse(expectArg.trimStart().startsWith("{") ? expectArg : await readFile(expectArg, "utf8"));
  } catch (e) {
    usage(`--expect-json: ${e.message}`);
  }
  for (const e of subset(want, toJson(summary), "$")) errors.push(`expectation ${e}`);
}
if (summary.decodeErrors > 0 && !errors.some((e) => e.startsWith("decode")))
  errors.push(`${summary.decodeErrors} messages failed to decode`);

process.stdout.write(JSON.stringify(toJson(summary), null, 1) + "\n");
for (const e of errors) process.stderr.write(`validate_mcap: ${file}: ${e}\n`);
process.exit(errors.length ? 1 : 0);
