#!/usr/bin/env node
// msg_samples.mjs — one message of a type from each bundled ROS 2 interface package, encoded as
// CDR here, independently of msgs/ and of any decoder, and checked after a recording.
//
//   node msg_samples.mjs write DIR      DIR/<n>.cdr per sample and DIR/manifest for helper_cdr_pub
//   node msg_samples.mjs check FILE     every sample topic in the MCAP FILE decoded with the
//                                       schema the recorder wrote (@foxglove/rosmsg +
//                                       rosmsg2-serialization) must equal the sample, field by field
//
// A sample is written as its fields in wire order, each value tagged with its ROS type
// (i32(5), str("map"), seq(f64, [...]), fixed(u8, [...]); a nested message is a plain object).
// The encoder walks that order; the expected decoded message is the same tree untagged. So a
// field missing, misnamed, reordered or of the wrong type in a bundled .msg fails the check.
// check prints {checked: [topics], errors: [...]} and exits 1 when any sample differs.
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { parse } from "@foxglove/rosmsg";
import { MessageReader } from "@foxglove/rosmsg2-serialization";
import { isDeepStrictEqual } from "node:util";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const prim = (kind, size) => (v) => ({ kind, size, v });
const i8 = prim("i8", 1), u8 = prim("u8", 1), i16 = prim("i16", 2), u16 = prim("u16", 2);
const i32 = prim("i32", 4), u32 = prim("u32", 4), i64 = prim("i64", 8), u64 = prim("u64", 8);
const f32 = prim("f32", 4), f64 = prim("f64", 8), bool = prim("bool", 1);
const str = (v) => ({ kind: "str", v });
const seq = (elem, v) => ({ kind: "seq", elem, v }); // unbounded or bounded sequence
const fixed = (elem, v) => ({ kind: "fixed", elem, v }); // T[N]
const structs = (v) => ({ kind: "seq", elem: null, v }); // sequence of messages

const time = (sec, nanosec) => ({ sec: i32(sec), nanosec: u32(nanosec) });
const header = (sec, nanosec, frame) => ({ stamp: time(sec, nanosec), frame_id: str(frame) });
const vec3 = (x, y, z) => ({ x: f64(x), y: f64(y), z: f64(z) });
const quat = (x, y, z, w) => ({ x: f64(x), y: f64(y), z: f64(z), w: f64(w) });
const pose = (p, q) => ({ position: vec3(...p), orientation: quat(...q) });
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const uuid = (seed) => fixed(u8, range(16, (i) => (seed * 16 + i) & 0xff));
const fieldType = (id, cap, scap, nested) => ({ type_id: u8(id), capacity: u64(cap), string_capacity: u64(scap), nested_type_name: str(nested) });

export const SAMPLES = [
  ["/rg/duration", "builtin_interfaces/msg/Duration", { sec: i32(-3), nanosec: u32(250000000) }],
  ["/rg/multiarray", "std_msgs/msg/Float64MultiArray", {
    layout: { dim: structs([{ label: str("rows"), size: u32(2), stride: u32(6) }, { label: str("cols"), size: u32(3), stride: u32(3) }]), data_offset: u32(1) },
    data: seq(f64, [1.5, -2.25, 3, 4e10, 5e-7, -6]) }],
  ["/rg/pose", "geometry_msgs/msg/PoseStamped", { header: header(1700000000, 123456789, "map"), pose: pose([1.5, -2.5, 3.25], [0, 0, 0.7071067811865476, 0.7071067811865476]) }],
  ["/rg/fix", "sensor_msgs/msg/NavSatFix", {
    header: header(1700000001, 5, "gps"), status: { status: i8(-1), service: u16(1 | 2 | 8) },
    latitude: f64(48.858222), longitude: f64(2.2945), altitude: f64(-12.75),
    position_covariance: fixed(f64, range(9, (i) => i * 0.5 - 1)), position_covariance_type: u8(2) }],
  ["/rg/odom", "nav_msgs/msg/Odometry", {
    header: header(1700000002, 999999999, "odom"), child_frame_id: str("base_link"),
    pose: { pose: pose([10, 20, 0.5], [0.1, 0.2, 0.3, 0.9]), covariance: fixed(f64, range(36, (i) => i / 4)) },
    twist: { twist: { linear: vec3(0.5, 0, 0), angular: vec3(0, 0, -0.25) }, covariance: fixed(f64, range(36, (i) => 100 - i)) } }],
  ["/rg/tf", "tf2_msgs/msg/TFMessage", { transforms: structs([
    { header: header(1700000003, 1, "world"), child_frame_id: str("robot"), transform: { translation: vec3(1, 2, 3), rotation: quat(0, 0, 0, 1) } },
    { header: header(1700000003, 2, "robot"), child_frame_id: str("camera_optical"), transform: { translation: vec3(0.1, 0, 0.4), rotation: quat(-0.5, 0.5, -0.5, 0.5) } }]) }],
  ["/rg/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", { header: header(1700000004, 0, ""), status: structs([
    { level: u8(1), name: str("disk"), message: str("90% used"), hardware_id: str("nvme0"), values: structs([{ key: str("free"), value: str("12 GiB") }, { key: str("temp"), value: str("51 C") }]) },
    { level: u8(0), name: str("cpu"), message: str("ok"), hardware_id: str(""), values: structs([]) }]) }],
  ["/rg/marker", "visualization_msgs/msg/Marker", {
    header: header(1700000005, 42, "map"), ns: str("paths"), id: i32(7), type: i32(4), action: i32(0),
    pose: pose([0, 0, 0], [0, 0, 0, 1]), scale: vec3(0.05, 0.05, 0.05),
    color: { r: f32(1), g: f32(0.5), b: f32(0.25), a: f32(0.75) }, lifetime: { sec: i32(2), nanosec: u32(500) },
    frame_locked: bool(true), points: structs([{ x: f64(0), y: f64(1), z: f64(2) }, { x: f64(3), y: f64(4), z: f64(5) }]),
    colors: structs([{ r: f32(0), g: f32(1), b: f32(0), a: f32(1) }]), texture_resource: str("package://t.png"),
    texture: { header: header(1, 2, "tex"), format: str("png"), data: seq(u8, [137, 80, 78, 71]) },
    uv_coordinates: structs([{ u: f32(0.125), v: f32(0.875) }]), text: str("lane 1"),
    mesh_resource: str("file:///m.dae"), mesh_file: { filename: str("m.stl"), data: seq(u8, [1, 2, 3]) },
    mesh_use_embedded_materials: bool(false) }],
  ["/rg/primitive", "shape_msgs/msg/SolidPrimitive", { type: u8(5), dimensions: seq(f64, [0.75]),
    polygon: { points: structs([{ x: f32(0), y: f32(0), z: f32(0) }, { x: f32(1), y: f32(0), z: f32(0) }, { x: f32(0), y: f32(1.5), z: f32(0) }]) } }],
  ["/rg/trajectory", "trajectory_msgs/msg/JointTrajectory", {
    header: header(1700000006, 3, "base"), joint_names: seq(str, ["shoulder", "elbow", "wrist"]),
    points: structs([
      { positions: seq(f64, [0, 0.5, 1]), velocities: seq(f64, [0.1, 0.2, 0.3]), accelerations: seq(f64, []), effort: seq(f64, [5]), time_from_start: { sec: i32(0), nanosec: u32(500000000) } },
      { positions: seq(f64, [1, 1.5, 2]), velocities: seq(f64, []), accelerations: seq(f64, [-1]), effort: seq(f64, []), time_from_start: { sec: i32(1), nanosec: u32(0) } }]) }],
  ["/rg/goal_status", "action_msgs/msg/GoalStatusArray", { status_list: structs([
    { goal_info: { goal_id: { uuid: uuid(1) }, stamp: time(1700000007, 8) }, status: i8(2) },
    { goal_info: { goal_id: { uuid: uuid(2) }, stamp: time(1700000007, 9) }, status: i8(6) }]) }],
  ["/rg/uuid", "unique_identifier_msgs/msg/UUID", { uuid: uuid(9) }],
  ["/rosout", "rcl_interfaces/msg/Log", { stamp: time(1700000008, 77), level: u8(30), name: str("planner"),
    msg: str("path blocked, replanning"), file: str("planner.cpp"), function: str("on_costmap"), line: u32(412) }],
  ["/clock", "rosgraph_msgs/msg/Clock", { clock: time(1234, 567000000) }],
  ["/rg/metrics", "statistics_msgs/msg/MetricsMessage", {
    measurement_source_name: str("node_a"), metrics_source: str("message_age"), unit: str("ms"),
    window_start: time(100, 0), window_stop: time(110, 5),
    statistics: structs([{ data_type: u8(1), data: f64(3.5) }, { data_type: u8(5), data: f64(120) }]) }],
  ["/rg/disparity", "stereo_msgs/msg/DisparityImage", {
    header: header(1700000009, 10, "left"),
    image: { header: header(1700000009, 10, "left"), height: u32(2), width: u32(2), encoding: str("32FC1"), is_bigendian: u8(0), step: u32(8), data: seq(u8, range(16, (i) => i * 3)) },
    f: f32(525.5), t: f32(0.125), valid_window: { x_offset: u32(1), y_offset: u32(2), height: u32(480), width: u32(640), do_rectify: bool(true) },
    min_disparity: f32(0.5), max_disparity: f32(64), delta_d: f32(0.0625) }],
  ["/rg/service_event", "service_msgs/msg/ServiceEventInfo", { event_type: u8(2), stamp: time(1700000010, 11),
    client_gid: fixed(u8, range(16, (i) => 255 - i)), sequence_number: i64(-9007199254740993n) }],
  ["/rg/type_description", "type_description_interfaces/msg/TypeDescription", {
    type_description: { type_name: str("demo_msgs/msg/Pair"), fields: structs([
      { name: str("a"), type: fieldType(6, 0, 0, ""), default_value: str("3") },
      { name: str("b"), type: fieldType(49, 4, 0, "demo_msgs/msg/Item"), default_value: str("") }]) },
    referenced_type_descriptions: structs([{ type_name: str("demo_msgs/msg/Item"), fields: structs([
      { name: str("label"), type: fieldType(21, 0, 18446744073709551615n, ""), default_value: str("") }]) }]) }],
];

// ---- CDR (XCDR1, little endian) ---------------------------------------------------------------
class Cdr {
  constructor() { this.buf = Buffer.alloc(1 << 16); this.n = 4; this.buf.set([0, 1, 0, 0]); }
  align(a) { while ((this.n - 4) % a) this.buf[this.n++] = 0; }
  prim(kind, size, v) {
    this.align(size);
    const b = this.buf, o = this.n;
    switch (kind) {
      case "i8": b.writeInt8(v, o); break;
      case "u8": b.writeUInt8(v, o); break;
      case "bool": b.writeUInt8(v ? 1 : 0, o); break;
      case "i16": b.writeInt16LE(v, o); break;
      case "u16": b.writeUInt16LE(v, o); break;
      case "i32": b.writeInt32LE(v, o); break;
      case "u32": b.writeUInt32LE(v, o); break;
      case "i64": b.writeBigInt64LE(BigInt(v), o); break;
      case "u64": b.writeBigUInt64LE(BigInt(v), o); break;
      case "f32": b.writeFloatLE(v, o); break;
      case "f64": b.writeDoubleLE(v, o); break;
      default: throw new Error(`kind ${kind}`);
    }
    this.n += size;
  }
  str(s) { const e = Buffer.from(s, "utf8"); this.prim("u32", 4, e.length + 1); e.copy(this.buf, this.n); this.n += e.length; this.buf[this.n++] = 0; }
  value(t) {
    if (t.kind === "str") return this.str(t.v);
    if (t.kind === "seq" || t.kind === "fixed") {
      if (t.kind === "seq") this.prim("u32", 4, t.v.length);
      for (const e of t.v) this.value(t.elem === null ? e : t.elem(e));
      return;
    }
    if (t.kind) return this.prim(t.kind, t.size, t.v);
    return this.message(t);
  }
  message(obj) { for (const k of Object.keys(obj)) this.value(obj[k]); }
  // As rmw sends it: padded to a multiple of 4, the pad length in the options' low 2 bits
  // (Cyclone does not deliver a sample of any other length).
  bytes() {
    const pad = (4 - (this.n % 4)) % 4;
    this.buf[3] = pad;
    return this.buf.subarray(0, this.n + pad);
  }
}

// The decoded form of a tagged tree, normalised as `norm` normalises decoder output.
function plain(t) {
  if (t.kind === "seq" || t.kind === "fixed")
    return t.v.map((e) => plain(t.elem === null ? e : t.elem(e)));
  if (t.kind === "i64" || t.kind === "u64") return BigInt(t.v).toString();
  if (t.kind) return t.v;
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, plain(v)]));
}
// Typed arrays become arrays, 64-bit integers strings, booleans stay, numbers stay.
function norm(v) {
  if (typeof v === "bigint") return v.toString();
  if (ArrayBuffer.isView(v)) return Array.from(v, norm);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

const ddsName = (topic) => `rt${topic}`;
const ddsType = (type) => { const [pkg, , name] = type.split("/"); return `${pkg}::msg::dds_::${name}_`; };

const [mode, arg] = process.argv.slice(2);
if (mode === "write") {
  mkdirSync(arg, { recursive: true });
  const lines = SAMPLES.map(([topic, type, msg], i) => {
    const c = new Cdr();
    c.message(msg);
    writeFileSync(`${arg}/${i}.cdr`, c.bytes());
    return `${ddsName(topic)} ${ddsType(type)} ${arg}/${i}.cdr`;
  });
  writeFileSync(`${arg}/manifest`, lines.join("\n") + "\n");
} else if (mode === "check") {
  const b = readFileSync(arg);
  const r = await McapIndexedReader.Initialize({
    readable: { size: async () => BigInt(b.length), read: async (o, n) => b.subarray(Number(o), Number(o + n)) },
    decompressHandlers: await loadDecompressHandlers(),
  });
  const errors = [], checked = [], seen = new Map();
  for await (const m of r.readMessages({ topics: SAMPLES.map((s) => s[0]) })) {
    const ch = r.channelsById.get(m.channelId);
    seen.set(ch.topic, (seen.get(ch.topic) ?? 0) + 1);
    const [, type, msg] = SAMPLES.find((s) => s[0] === ch.topic);
    const schema = r.schemasById.get(ch.schemaId);
    if (schema.name !== type || schema.encoding !== "ros2msg") {
      errors.push(`${ch.topic}: schema ${schema.name} (${schema.encoding})`);
      continue;
    }
    try {
      const got = norm(new MessageReader(parse(new TextDecoder().decode(schema.data), { ros2: true })).readMessage(m.data));
      const want = plain(msg);
      if (!isDeepStrictEqual(got, want))
        errors.push(`${ch.topic}: decoded ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      else checked.push(ch.topic);
    } catch (e) {
      errors.push(`${ch.topic}: ${e.message}`);
    }
  }
  for (const [topic] of SAMPLES) if (seen.get(topic) !== 1) errors.push(`${topic}: ${seen.get(topic) ?? 0} messages, want 1`);
  console.log(JSON.stringify({ checked, errors }, null, 1));
  process.exit(errors.length ? 1 : 0);
} else {
  process.stderr.write("usage: node msg_samples.mjs write DIR | check FILE.mcap\n");
  process.exit(2);
}
