#!/usr/bin/env node
// bagtools_check.mjs — holds `recguard doctor`, `info` and `recover` to what they claim, with
// @mcap/core as the independent reader.
//
//   node bagtools_check.mjs conformance FILE...
//       Every FILE is a valid MCAP file (gen_conformance.mjs): doctor must exit 0; info must
//       list every topic with its type and count (and say in Notes when it had to scan);
//       recover must exit 0 ("lossless") and its output, read by McapIndexedReader and by
//       McapStreamReader, must hold exactly the input's messages, metadata and attachments.
//   node bagtools_check.mjs mutate [--every N] [--max-flip-size B] [--xor X] FILE...
//       For each FILE (valid), every Nth truncation point and (when the file is at most B
//       bytes, default unlimited) every Nth byte flipped (XOR X, default 0x01): recover,
//       doctor and info must not crash, hang or trip a sanitizer; recover must exit 0, 1 or 3;
//       whenever it exits 0 its output must hold exactly the original's messages, metadata
//       and attachments; any output it leaves must be readable by both readers.
//
// RECGUARD names the binary. Prints a summary line per FILE (mutate) or per failure, and a
// JSON totals line at the end: {files, runs, exit0, exit1, exit3, failures}. Exit 1 on any
// failure.
import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const RECGUARD = process.env.RECGUARD;
if (!RECGUARD) {
  process.stderr.write("bagtools_check: set RECGUARD to the recguard binary\n");
  process.exit(2);
}
const decompressHandlers = await loadDecompressHandlers();
const tmp = mkdtempSync(join(tmpdir(), "bagtools."));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

const totals = { files: 0, runs: 0, exit0: 0, exit1: 0, exit3: 0, failures: 0 };
const failures = [];
function fail(file, what) {
  totals.failures++;
  if (failures.length < 50) failures.push(`${file}: ${what}`);
  process.stderr.write(`FAIL ${file}: ${what}\n`);
}

const hex = (u8) => Buffer.from(u8).toString("hex");
const sortedMap = (m) => JSON.stringify([...m.entries()].sort());

// One canonical string per message / metadata / attachment, sorted: equal contents compare
// equal whatever the ids, chunking and record order of the two files.
function canon(schemas, channels, messages, metadata, attachments) {
  const msg = messages.map((m) => {
    const c = channels.get(m.channelId);
    if (!c) return `?channel ${m.channelId}`;
    const s = c.schemaId ? schemas.get(c.schemaId) : undefined;
    if (c.schemaId && !s) return `?schema ${c.schemaId}`;
    return [c.topic, c.messageEncoding, sortedMap(c.metadata), s ? s.name : "", s ? s.encoding : "",
      s ? hex(s.data) : "", m.sequence, m.logTime, m.publishTime, hex(m.data)].join("|");
  });
  const md = metadata.map((m) => `${m.name}|${sortedMap(m.metadata)}`);
  const at = attachments.map((a) => [a.name, a.mediaType, a.logTime, a.createTime, hex(a.data)].join("|"));
  return { messages: msg.sort(), metadata: md.sort(), attachments: at.sort() };
}

function readStream(bytes) {
  const r = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  r.append(bytes);
  const schemas = new Map(), channels = new Map(), messages = [], metadata = [], attachments = [];
  for (let rec; (rec = r.nextRecord());) {
    if (rec.type === "Schema") schemas.set(rec.id, rec);
    else if (rec.type === "Channel") channels.set(rec.id, rec);
    else if (rec.type === "Message") messages.push(rec);
    else if (rec.type === "Metadata") metadata.push(rec);
    else if (rec.type === "Attachment") attachments.push(rec);
  }
  if (!r.done()) throw new Error("stream reader: file does not end with Footer + magic");
  return canon(schemas, channels, messages, metadata, attachments);
}

async function readIndexed(bytes) {
  const readable = {
    size: async () => BigInt(bytes.length),
    read: async (o, n) => bytes.subarray(Number(o), Number(o + n)),
  };
  const r = await McapIndexedReader.Initialize({ readable, decompressHandlers });
  const messages = [], metadata = [], attachments = [];
  for await (const m of r.readMessages({ validateCrcs: true })) messages.push(m);
  for await (const m of r.readMetadata()) metadata.push(m);
  for await (const a of r.readAttachments({ validateCrcs: true })) attachments.push(a);
  return canon(r.schemasById, r.channelsById, messages, metadata, attachments);
}

function same(a, b) {
  for (const k of ["messages", "metadata", "attachments"]) {
    if (a[k].length !== b[k].length) return `${k}: ${b[k].length}, expected ${a[k].length}`;
    for (let i = 0; i < a[k].length; i++)
      if (a[k][i] !== b[k][i]) return `${k}[${i}] differs: ${b[k][i].slice(0, 120)} != ${a[k][i].slice(0, 120)}`;
  }
  return null;
}

// Run recguard; a signal, a timeout or a sanitizer report is a failure in itself.
function run(file, args) {
  totals.runs++;
  const p = spawnSync(RECGUARD, args, { encoding: "utf8", timeout: 60000 });
  const out = `${p.stdout ?? ""}${p.stderr ?? ""}`;
  if (p.error) fail(file, `recguard ${args.join(" ")}: ${p.error.message}`);
  else if (p.signal) fail(file, `recguard ${args.join(" ")}: killed by ${p.signal}\n${out.slice(0, 2000)}`);
  else if (/Sanitizer|runtime error:/.test(out)) fail(file, `recguard ${args.join(" ")}: sanitizer report\n${out.slice(0, 2000)}`);
  return { status: p.status, stdout: p.stdout ?? "", stderr: p.stderr ?? "" };
}

// Both readers must read the recover output; returns its contents (or null after a failure).
async function readOutput(file, out) {
  let bytes;
  try {
    bytes = readFileSync(out);
  } catch (e) {
    fail(file, `no recover output: ${e.message}`);
    return null;
  }
  try {
    const s = readStream(bytes);
    const x = await readIndexed(bytes);
    const d = same(s, x);
    if (d) fail(file, `recover output: indexed and stream readers disagree: ${d}`);
    return s;
  } catch (e) {
    fail(file, `recover output unreadable: ${e.message}`);
    return null;
  }
}

function checkInfo(file, bytes, text) {
  const r = new McapStreamReader({ decompressHandlers });
  r.append(bytes);
  const schemas = new Map(), channels = new Map(), counts = new Map();
  let total = 0;
  for (let rec; (rec = r.nextRecord());) {
    if (rec.type === "Schema") schemas.set(rec.id, rec);
    if (rec.type === "Channel") channels.set(rec.id, rec);
    if (rec.type === "Message") {
      total++;
      counts.set(rec.channelId, (counts.get(rec.channelId) ?? 0) + 1);
    }
  }
  const m = /^Messages:\s+(\d+)$/m.exec(text);
  if (!m || Number(m[1]) !== total) fail(file, `info: Messages ${m ? m[1] : "missing"}, expected ${total}`);
  for (const c of channels.values()) {
    const type = c.schemaId ? schemas.get(c.schemaId).name : "";
    const line = `Topic: ${c.topic} | Type: ${type} | Count: ${counts.get(c.id) ?? 0} | Serialization Format: ${c.messageEncoding}`;
    if (!text.includes(line)) fail(file, `info: no line "${line}" in\n${text}`);
  }
  // Without channels in the summary, info can only know topics by scanning, and must say so.
  const features = basename(file, ".mcap").split("-").slice(1);
  if (channels.size && !features.includes("rch") && !/^Notes:.*scann/m.test(text))
    fail(file, `info: the summary has no channels but Notes does not say it scanned:\n${text}`);
}

async function conformance(file) {
  totals.files++;
  const bytes = readFileSync(file);
  const want = readStream(bytes);
  const doc = run(file, ["doctor", file]);
  if (doc.status !== 0) fail(file, `doctor exit ${doc.status}:\n${doc.stdout}${doc.stderr}`);
  const info = run(file, ["info", file]);
  if (info.status !== 0) fail(file, `info exit ${info.status}: ${info.stderr}`);
  else checkInfo(file, bytes, info.stdout);
  const out = join(tmp, "out.mcap");
  rmSync(out, { force: true });
  const rec = run(file, ["recover", file, "-o", out]);
  if (rec.status !== 0 || !/^result: lossless$/m.test(rec.stdout)) {
    fail(file, `recover exit ${rec.status}, expected 0 (lossless):\n${rec.stdout}${rec.stderr}`);
    return;
  }
  const got = await readOutput(file, out);
  if (!got) return;
  const d = same(want, got);
  if (d) fail(file, `recover output differs from the input: ${d}`);
}

async function mutant(file, want, bytes, what) {
  const inp = join(tmp, "in.mcap"), out = join(tmp, "out.mcap");
  writeFileSync(inp, bytes);
  rmSync(out, { force: true });
  const rec = run(`${file} ${what}`, ["recover", inp, "-o", out]);
  if (rec.status === 0) totals.exit0++;
  else if (rec.status === 1) totals.exit1++;
  else if (rec.status === 3) totals.exit3++;
  else fail(`${file} ${what}`, `recover exit ${rec.status}: ${rec.stderr}`);
  if (rec.status === 0) {
    const got = await readOutput(`${file} ${what}`, out);
    const d = got && same(want, got);
    if (d) fail(`${file} ${what}`, `recover said lossless but ${d}\n${rec.stdout}`);
  } else if (existsSync(out)) {
    await readOutput(`${file} ${what}`, out);
  }
  for (const verb of ["doctor", "info"]) {
    const p = run(`${file} ${what}`, [verb, inp]);
    if (p.status !== 0 && p.status !== 1) fail(`${file} ${what}`, `${verb} exit ${p.status}: ${p.stderr}`);
  }
}

async function mutate(file, every, maxFlip, xor) {
  totals.files++;
  const orig = readFileSync(file);
  const want = readStream(orig);
  const before = { ...totals };
  for (let k = 0; k < orig.length; k += every) await mutant(file, want, orig.subarray(0, k), `cut@${k}`);
  if (orig.length <= maxFlip)
    for (let i = 0; i < orig.length; i += every) {
      const b = Buffer.from(orig);
      b[i] ^= xor;
      await mutant(file, want, b, `flip@${i}`);
    }
  const d = (k) => totals[k] - before[k];
  process.stdout.write(`${file}: ${orig.length} bytes, ${d("exit0") + d("exit1") + d("exit3")} mutants: ` +
    `lossless ${d("exit0")}, lossy ${d("exit3")}, nothing ${d("exit1")}, failures ${d("failures")}\n`);
}

const args = process.argv.slice(2);
const mode = args.shift();
let every = 1, maxFlip = Infinity, xor = 0x01;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--every") every = Math.max(1, Number(args[++i]));
  else if (args[i] === "--max-flip-size") maxFlip = Number(args[++i]);
  else if (args[i] === "--xor") xor = Number(args[++i]);
  else files.push(args[i]);
}
if ((mode !== "conformance" && mode !== "mutate") || files.length === 0) {
  process.stderr.write("usage: node bagtools_check.mjs conformance FILE... | mutate [--every N] [--max-flip-size B] [--xor X] FILE...\n");
  process.exit(2);
}
for (const f of files) {
  try {
    if (mode === "conformance") await conformance(f);
    else await mutate(f, every, maxFlip, xor);
  } catch (e) {
    fail(f, `checker: ${e.stack}`);
  }
}
process.stdout.write(`${JSON.stringify(totals)}\n`);
process.exit(totals.failures ? 1 : 0);
