#!/usr/bin/env node
// rec_seq.mjs — sequence accounting over recorded MCAP segments, with @mcap/core (indexed
// reader, chunk CRCs validated), independent of recguard's own reader.
//
//   node rec_seq.mjs --topic T [--u32-at N | --ros-field F] FILE.mcap...
//
// For topic T across the files in the given order, takes a counter from every message: by
// default a little-endian u32 at payload byte N (4: right after the CDR encapsulation header,
// where ddsperf's KeyedSeq keeps its sequence number); with --ros-field F, field F of the message
// decoded with @foxglove/rosmsg + rosmsg2-serialization from the file's own ros2msg schema (a
// string yields its trailing integer, "hello 7" -> 7; an array its first element). Prints JSON
// {count, first, last, gaps, dups, outOfOrder, contiguous, files:[{file, count}]}.
// Exit 1 on any read/CRC/decode error.
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { open } from "node:fs/promises";

const args = process.argv.slice(2);
let topic, at = 4, field;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--topic") topic = args[++i];
  else if (args[i] === "--u32-at") at = Number(args[++i]);
  else if (args[i] === "--ros-field") field = args[++i];
  else files.push(args[i]);
}
if (!topic || files.length === 0) {
  process.stderr.write("usage: node rec_seq.mjs --topic T [--u32-at N] FILE.mcap...\n");
  process.exit(2);
}
const handlers = await loadDecompressHandlers();
const seqs = [];
const perFile = [];
for (const file of files) {
  const fh = await open(file, "r");
  const size = BigInt((await fh.stat()).size);
  const readable = {
    size: async () => size,
    read: async (o, n) => {
      const b = Buffer.alloc(Number(n));
      await fh.read(b, 0, Number(n), Number(o));
      return b;
    },
  };
  const r = await McapIndexedReader.Initialize({ readable, decompressHandlers: handlers });
  let n = 0;
  const readers = new Map();
  for await (const m of r.readMessages({ topics: [topic], validateCrcs: true })) {
    const d = m.data;
    if (field) {
      const ch = r.channelsById.get(m.channelId);
      if (!readers.has(ch.schemaId)) {
        const sc = r.schemasById.get(ch.schemaId);
        readers.set(ch.schemaId, new MessageReader(parse(new TextDecoder().decode(sc.data), { ros2: true })));
      }
      let v = readers.get(ch.schemaId).readMessage(d)[field];
      if (typeof v === "string") v = Number(/(\d+)$/.exec(v)?.[1] ?? NaN);
      else if (ArrayBuffer.isView(v)) v = v[0];
      seqs.push(Number(v));
    } else {
      seqs.push(new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true));
    }
    n++;
  }
  perFile.push({ file, count: n });
  await fh.close();
}
let gaps = 0, dups = 0, outOfOrder = 0;
for (let i = 1; i < seqs.length; i++) {
  const d = seqs[i] - seqs[i - 1];
  if (d === 0) dups++;
  else if (d < 0) outOfOrder++;
  else if (d > 1) gaps += d - 1;
}
const out = {
  count: seqs.length,
  first: seqs.length ? seqs[0] : null,
  last: seqs.length ? seqs[seqs.length - 1] : null,
  gaps, dups, outOfOrder,
  contiguous: seqs.length > 0 && gaps === 0 && dups === 0 && outOfOrder === 0,
  files: perFile,
};
process.stdout.write(JSON.stringify(out) + "\n");
