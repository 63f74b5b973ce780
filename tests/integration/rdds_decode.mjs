// rdds_decode.mjs DUMP_DIR SUB_JSON_OUT MSGS_DIR: decode each topic's first sample (written by
// helper_rdds_sub --dump) with @foxglove/rosmsg2-serialization, an independent CDR reader, using a
// schema built from the msgs/ .msg files the way rosbag2 does (root text, then each dependency
// after a line of 80 '=' and "MSG: pkg/Type"), and check the values `recguard demo` publishes.
// Node modules come from $RG_E2E_DIR/node_modules. Exit 0 when every check holds.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(path.join(process.env.RG_E2E_DIR, "node_modules", "x.js"));
const { parse } = require("@foxglove/rosmsg");
const { MessageReader } = require("@foxglove/rosmsg2-serialization");
const [dumpDir, subOut, msgsDir] = process.argv.slice(2);

const PRIMITIVES = new Set(["bool", "byte", "char", "int8", "uint8", "int16", "uint16", "int32", "uint32",
  "int64", "uint64", "float32", "float64", "string", "wstring", "time", "duration"]);
function msgText(type) { // "pkg/msg/T" or "pkg/T"
  const [pkg, , name] = type.includes("/msg/") ? type.split("/") : [type.split("/")[0], "msg", type.split("/")[1]];
  return fs.readFileSync(path.join(msgsDir, pkg, "msg", `${name}.msg`), "utf8");
}
function deps(type, pkg, seen, out) {
  for (const line of msgText(type).split("\n")) {
    const m = line.replace(/#.*/, "").trim().match(/^([A-Za-z0-9_/]+)(\[[0-9]*\])?\s+\w+/);
    if (!m || PRIMITIVES.has(m[1])) continue;
    const dep = m[1].includes("/") ? m[1] : `${pkg}/${m[1]}`;
    if (seen.has(dep)) continue;
    seen.add(dep);
    out.push(dep);
    deps(dep, dep.split("/")[0], seen, out);
  }
  return out;
}
function schema(type) {
  let s = msgText(type);
  for (const d of deps(type, type.split("/")[0], new Set(), []))
    s += `\n${"=".repeat(80)}\nMSG: ${d}\n${msgText(d)}`;
  return s;
}

const lines = fs.readFileSync(subOut, "utf8").trim().split("\n");
const checks = [];
const decoded = new Set();
const want = (what, ok) => { checks.push(what); if (!ok) { console.error(`FAIL: ${what}`); process.exitCode = 1; } };
for (const line of lines) {
  const m = line.match(/^topic (\d+) (\S+) (\S+) /);
  if (!m) continue;
  const [, id, name, type] = m;
  const file = path.join(dumpDir, `${id}.cdr`);
  if (!fs.existsSync(file)) continue;
  const reader = new MessageReader(parse(schema(type), { ros2: true }));
  const msg = reader.readMessage(fs.readFileSync(file));
  decoded.add(name);
  if (name === "/chatter") want("/chatter data", msg.data === "hello 1");
  if (name === "/imu") {
    want("/imu frame_id", msg.header.frame_id === "imu_link");
    want("/imu stamp", msg.header.stamp.sec > 1600000000 && msg.header.stamp.nanosec < 1e9);
    want("/imu orientation", msg.orientation.w === 1 && msg.orientation.x === 0);
    want("/imu covariance", msg.orientation_covariance.length === 9 && msg.orientation_covariance[0] === 0.01);
    want("/imu angular_velocity", msg.angular_velocity.z > 0 && msg.angular_velocity.z < 1);
    want("/imu linear_acceleration", msg.linear_acceleration.z === 9.81);
  }
  if (name === "/camera/image_raw") {
    want("/camera/image_raw geometry", msg.width === 640 && msg.height === 480 && msg.step === 1920 && msg.encoding === "rgb8");
    want("/camera/image_raw data", msg.data.length === 921600 && msg.data[0] === 1 && msg.data[1920] === 2);
    want("/camera/image_raw frame", msg.header.frame_id === "camera_optical_frame");
  }
  if (name === "/seq") {
    want("/seq seq", msg.seq === 1n || msg.seq === 1);
    want("/seq payload", msg.payload.length === 64 && msg.payload.every((b) => b === 1));
  }
}
want("all four demo topics decoded", ["/chatter", "/imu", "/camera/image_raw", "/seq"].every((n) => decoded.has(n)));
if (!process.exitCode) console.log(`decoded: ${checks.length} checks passed`);
