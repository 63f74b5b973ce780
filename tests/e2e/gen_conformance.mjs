#!/usr/bin/env node
// gen_conformance.mjs — writes the MCAP conformance inputs: six base files, each in every
// combination of the optional format features that makes sense for it, with @mcap/core's
// record and chunk builders (an independent writer: none of recguard's code is involved).
//
//   node gen_conformance.mjs OUT_DIR        -> OUT_DIR/<Base>/<Base>[-feature...].mcap
//
// The variant set follows the MCAP project's conformance suite (tests/conformance in
// foxglove/mcap): base files NoData, OneMessage, OneSchemalessMessage, TenMessages,
// OneAttachment, OneMetadata; features
//   ch   messages, schemas and channels inside one (uncompressed) chunk
//   mx   message indexes after the chunk
//   st   a Statistics record
//   rsh  schemas repeated in the summary        rch  channels repeated in the summary
//   ax   attachment indexes                      mdx  metadata indexes
//   chx  a chunk index                           sum  summary offsets
//   pad  three extra bytes at the end of every record that may grow (readers must skip them)
// A feature is left out where the base file has nothing for it (ax without an attachment, a
// summary offset without any summary group, ...). Data-section, chunk, attachment and summary
// CRCs are always written. Prints one line per file and the total on stderr.
import { McapRecordBuilder, McapChunkBuilder, Opcode } from "@mcap/core";
import { crc32 } from "@foxglove/crc";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FEATURES = ["ch", "mx", "st", "rsh", "rch", "ax", "mdx", "chx", "sum", "pad"];

const schema = { type: "Schema", id: 1, name: "Example", encoding: "c", data: new Uint8Array([4, 5, 6]) };
const channel = {
  type: "Channel", id: 1, topic: "example", schemaId: 1, messageEncoding: "a",
  metadata: new Map([["foo", "bar"]]),
};
const message = (logTime, publishTime, sequence) => ({
  type: "Message", channelId: 1, logTime, publishTime, sequence, data: new Uint8Array([1, 2, 3]),
});
// Log times out of order on purpose: readers and chunk time ranges must not assume order.
const tenTimes = [0n, 2n, 1n, 3n, 3n, 5n, 4n, 7n, 8n, 9n];

export const BASES = {
  NoData: [],
  OneMessage: [schema, channel, message(2n, 1n, 10)],
  OneSchemalessMessage: [
    { type: "Channel", id: 1, topic: "example", schemaId: 0, messageEncoding: "text", metadata: new Map() },
    message(2n, 1n, 10),
  ],
  TenMessages: [schema, channel, ...tenTimes.map((t, i) => message(t, t, i))],
  OneAttachment: [{
    type: "Attachment", name: "myFile", mediaType: "application/octet-stream",
    logTime: 2n, createTime: 1n, data: new Uint8Array([1, 2, 3]),
  }],
  OneMetadata: [{ type: "Metadata", name: "myMetadata", metadata: new Map([["foo", "bar"]]) }],
};

// Is this feature set meaningful for these records? (Same pruning as the MCAP suite.)
function applicable(f, records) {
  const has = (type) => records.some((r) => r.type === type);
  if (f.has("ax") && !has("Attachment")) return false;
  if (f.has("mdx") && !has("Metadata")) return false;
  if (f.has("rsh") && !has("Schema")) return false;
  if (f.has("rch") && !has("Channel")) return false;
  const chunkable = has("Message") || has("Channel") || has("Schema");
  if (!chunkable && (f.has("ch") || f.has("chx") || f.has("mx"))) return false;
  const groups = ["chx", "rsh", "rch", "mdx", "ax", "st"];
  if (f.has("sum") && !groups.some((g) => f.has(g))) return false;
  return true;
}

function* subsets(list) {
  for (let mask = 0; mask < 1 << list.length; mask++)
    yield new Set(list.filter((_, i) => mask & (1 << i)));
}

// Summary group of one record kind: remember where it starts and how long it is.
function group(b, op, write) {
  const start = BigInt(b.length);
  write();
  const length = BigInt(b.length) - start;
  return { op, start, length };
}

export function build(records, f) {
  const b = new McapRecordBuilder({ padRecords: f.has("pad") });
  b.writeMagic();
  b.writeHeader({ profile: "", library: "" });
  const chunk = f.has("ch") ? new McapChunkBuilder({ useMessageIndex: f.has("mx") }) : undefined;
  const st = {
    messageCount: 0n, schemaCount: 0, channelCount: 0, attachmentCount: 0, metadataCount: 0,
    chunkCount: chunk ? 1 : 0, messageStartTime: 0n, messageEndTime: 0n,
    channelMessageCounts: new Map(),
  };
  const attIdx = [], metaIdx = [], chunkIdx = [];
  for (const r of records) {
    if (r.type === "Schema") {
      st.schemaCount++;
      chunk ? chunk.addSchema(r) : b.writeSchema(r);
    } else if (r.type === "Channel") {
      st.channelCount++;
      chunk ? chunk.addChannel(r) : b.writeChannel(r);
    } else if (r.type === "Message") {
      if (st.messageCount === 0n || r.logTime < st.messageStartTime) st.messageStartTime = r.logTime;
      if (st.messageCount === 0n || r.logTime > st.messageEndTime) st.messageEndTime = r.logTime;
      st.messageCount++;
      st.channelMessageCounts.set(r.channelId, (st.channelMessageCounts.get(r.channelId) ?? 0n) + 1n);
      chunk ? chunk.addMessage(r) : b.writeMessage(r);
    } else if (r.type === "Attachment") {
      st.attachmentCount++;
      const offset = BigInt(b.length);
      const length = b.writeAttachment(r);
      attIdx.push({
        offset, length, logTime: r.logTime, createTime: r.createTime,
        dataSize: BigInt(r.data.byteLength), name: r.name, mediaType: r.mediaType,
      });
    } else if (r.type === "Metadata") {
      st.metadataCount++;
      const offset = BigInt(b.length);
      const length = b.writeMetadata(r);
      metaIdx.push({ offset, length, name: r.name });
    }
  }
  if (chunk) {
    const chunkStartOffset = BigInt(b.length);
    const size = BigInt(chunk.buffer.byteLength);
    const chunkLength = b.writeChunk({
      messageStartTime: chunk.messageStartTime, messageEndTime: chunk.messageEndTime,
      uncompressedSize: size, uncompressedCrc: crc32(chunk.buffer), compression: "",
      records: chunk.buffer,
    });
    const messageIndexOffsets = new Map();
    let messageIndexLength = 0n;
    for (const mi of chunk.indices) {
      messageIndexOffsets.set(mi.channelId, BigInt(b.length));
      messageIndexLength += b.writeMessageIndex(mi);
    }
    chunkIdx.push({
      messageStartTime: chunk.messageStartTime, messageEndTime: chunk.messageEndTime,
      chunkStartOffset, chunkLength, messageIndexOffsets, messageIndexLength,
      compression: "", compressedSize: size, uncompressedSize: size,
    });
  }
  b.writeDataEnd({ dataSectionCrc: crc32(b.buffer) });

  const summaryStart = BigInt(b.length);
  const groups = [
    group(b, Opcode.SCHEMA, () => f.has("rsh") && records.filter((r) => r.type === "Schema").forEach((r) => b.writeSchema(r))),
    group(b, Opcode.CHANNEL, () => f.has("rch") && records.filter((r) => r.type === "Channel").forEach((r) => b.writeChannel(r))),
    group(b, Opcode.STATISTICS, () => f.has("st") && b.writeStatistics(st)),
    group(b, Opcode.METADATA_INDEX, () => f.has("mdx") && metaIdx.forEach((x) => b.writeMetadataIndex(x))),
    group(b, Opcode.ATTACHMENT_INDEX, () => f.has("ax") && attIdx.forEach((x) => b.writeAttachmentIndex(x))),
    group(b, Opcode.CHUNK_INDEX, () => f.has("chx") && chunkIdx.forEach((x) => b.writeChunkIndex(x))),
  ];
  const hasSummary = BigInt(b.length) !== summaryStart;
  let summaryOffsetStart = 0n;
  if (f.has("sum")) {
    summaryOffsetStart = BigInt(b.length);
    for (const g of groups)
      if (g.length) b.writeSummaryOffset({ groupOpcode: g.op, groupStart: g.start, groupLength: g.length });
  }
  // The summary CRC covers the summary, the summary offsets and the footer up to the CRC.
  const footerHead = Buffer.alloc(1 + 8 + 8 + 8);
  footerHead.writeUInt8(Opcode.FOOTER, 0);
  footerHead.writeBigUInt64LE(20n, 1);
  footerHead.writeBigUInt64LE(hasSummary ? summaryStart : 0n, 9);
  footerHead.writeBigUInt64LE(summaryOffsetStart, 17);
  const tail = b.buffer.subarray(Number(summaryStart));
  const summaryCrc = crc32(Buffer.concat([tail, footerHead]));
  b.writeFooter({ summaryStart: hasSummary ? summaryStart : 0n, summaryOffsetStart, summaryCrc });
  b.writeMagic();
  return new Uint8Array(b.buffer);
}

export function* variants() {
  for (const [base, records] of Object.entries(BASES))
    for (const f of subsets(FEATURES)) {
      if (!applicable(f, records)) continue;
      const name = [base, ...[...f].sort()].join("-");
      yield { base, name, records, features: f };
    }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: node gen_conformance.mjs OUT_DIR\n");
    process.exit(2);
  }
  let n = 0;
  for (const v of variants()) {
    mkdirSync(join(out, v.base), { recursive: true });
    const file = join(out, v.base, `${v.name}.mcap`);
    writeFileSync(file, build(v.records, v.features));
    process.stdout.write(`${file}\n`);
    n++;
  }
  process.stderr.write(`gen_conformance: ${n} files in ${out}\n`);
}
