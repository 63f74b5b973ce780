/* recguard dashboard. One EventSource (/api/events) brings everything live: "live" messages once
 * a second (status, topics, totals) and "journal" messages (the daemon's events). The bag list
 * is fetched at load and again when the daemon opens or closes a bag, never on a timer. */
"use strict";

const $ = (id) => document.getElementById(id);
const HISTORY_S = 3600; // longest time window kept for the charts

/* The token (when the server has one) comes in the URL fragment, #token=..., which browsers
 * never send to a server or put in a Referer; it is then kept for this tab only. */
const token = (() => {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("recguard-token", decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
  return sessionStorage.getItem("recguard-token") || "";
})();
const authHeaders = () => (token ? { "X-Recguard-Token": token } : {});

function fmtBytes(b) {
  if (b == null || !isFinite(b)) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(b) >= 1024 && i < u.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(1) : Math.round(b)) + " " + u[i];
}
function fmtDur(s) {
  if (s == null || !isFinite(s) || s < 0) return "–";
  s = Math.floor(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}h ${String(m).padStart(2, "0")}m` : m ? `${m}m ${String(r).padStart(2, "0")}s` : `${r}s`;
}
function fmtRate(r) { return r == null ? "–" : r >= 100 ? r.toFixed(0) + " Hz" : r.toFixed(1) + " Hz"; }
function base(p) { return p ? p.split("/").pop() : "–"; }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

/* ---- recording control ---------------------------------------------------------------------- */

async function command(cmd) {
  const out = $("cmd-result");
  out.textContent = cmd + "…";
  try {
    const r = await fetch("/api/" + cmd, {
      method: "POST", headers: { "Content-Type": "application/json", ...authHeaders() },
      body: JSON.stringify({ reason: "from the dashboard" }),
    });
    const j = await r.json();
    out.textContent = j.ok ? `${cmd}: ${j.message || j.state}` : `${cmd} refused: ${j.error}`;
  } catch (e) {
    out.textContent = `${cmd} failed: ${e}`;
  }
}
for (const c of ["start", "split", "pause", "resume", "stop"]) $("btn-" + c).addEventListener("click", () => command(c));

/* ---- status ------------------------------------------------------------------------------- */

function showStatus(st, up, why) {
  $("link").textContent = up ? "live" : "daemon unreachable";
  $("link").className = "pill " + (up ? "ok" : "bad");
  $("link").title = up ? "" : why || "";
  if (!st) { $("state").textContent = "?"; $("state").className = "state"; return; }
  $("state").textContent = st.state;
  $("state").className = "state " + st.state;
  $("state-reason").textContent = (st.paused ? "paused: " : "") + (st.reason || "");
  const recording = st.state === "RECORDING";
  $("btn-start").disabled = !(st.state === "IDLE" || st.state === "ERROR");
  $("btn-split").disabled = !recording;
  // Only the built-in recorder can be paused; the daemon keeps the state across restarts.
  const builtin = !!(st.recorder && st.recorder.builtin);
  $("btn-pause").disabled = !recording || !builtin || !!st.paused;
  $("btn-resume").disabled = !builtin || !st.paused || st.state === "IDLE" || st.state === "ERROR";
  $("btn-stop").disabled = st.state === "IDLE";
  $("output").textContent = st.output || "–";
  const argv = (st.recorder && st.recorder.argv) || [];
  const sel = argv.includes("-a") || argv.includes("--all") ? "all topics" : argv.slice(1).join(" ");
  $("recorder").textContent = st.recorder && st.recorder.builtin ? `built-in recorder, ${sel}` : argv.join(" ") || "–";
  $("uptime").textContent = st.pid ? fmtDur(st.uptime_s) : "not recording";
  $("segment").textContent = st.segment ? `${base(st.segment)} (#${st.segment_index})` : "–";
  $("restarts").textContent = `${st.restarts} (total ${st.restarts_total})`;
  const h = st.health || {};
  $("verdict").textContent = h.verdict || "–";
  $("verdict").className = "pill " + (h.verdict || "");
  $("reasons").textContent = (h.reasons || []).join("; ");
  const d = st.disk || {};
  $("disk").textContent = d.free_bytes != null ? `${fmtBytes(d.free_bytes)} of ${fmtBytes(d.total_bytes)}` : "–";
  $("ttf").textContent = d.time_to_full_s != null && d.time_to_full_s >= 0 ? fmtDur(d.time_to_full_s) : "not filling";
  $("proc").textContent = h.rss_bytes ? `pid ${st.pid}, ${fmtBytes(h.rss_bytes)} RSS, ${(h.cpu_pct || 0).toFixed(1)}% CPU` : "–";
}

/* ---- topics ------------------------------------------------------------------------------- */

function showTopics(topics) {
  const body = $("topics").tBodies[0];
  const rows = new Map([...body.rows].map((r) => [r.dataset.topic, r]));
  for (const t of topics) {
    let r = rows.get(t.name);
    if (!r) {
      r = body.insertRow();
      r.dataset.topic = t.name;
      for (const c of ["name", "rate num", "bw num", "age num", "status", "recorded", "drops num"]) r.insertCell().className = c;
      r.cells[0].textContent = t.name;
      r.cells[0].title = t.type;
    }
    rows.delete(t.name);
    r.cells[1].textContent = fmtRate(t.rate_hz);
    r.cells[2].textContent = t.bandwidth_bps == null ? "–" : fmtBytes(t.bandwidth_bps) + "/s";
    r.cells[3].textContent = t.age_s == null ? "never" : t.age_s < 1 ? "now" : fmtDur(t.age_s) + " ago";
    // An expect: rule breached says so in the status cell, with the daemon's reason.
    r.cells[4].textContent = t.expect_breach ? `${t.status} (expect: breach)` : t.status;
    r.cells[4].title = t.breach || "";
    r.cells[5].textContent = t.recorded ? "yes" : "no";
    // Drops: our queue; lost/rejected: the DDS layer. Each is a sample not recorded.
    r.cells[6].textContent = t.drops + (t.lost || 0) + (t.rejected || 0);
    r.cells[6].title = `queue full: ${t.drops}, lost: ${t.lost ?? 0}, rejected: ${t.rejected ?? 0}`;
    r.classList.toggle("breach", t.status !== "active" || t.expect_breach || r.cells[6].textContent !== "0");
  }
  for (const r of rows.values()) r.remove();
}

/* ---- charts (uPlot) ------------------------------------------------------------------------ */

const charts = [];
const chartWidth = (box) => Math.max(240, box.clientWidth - 4);
function makeChart(title, series) {
  const box = el("div", { class: "chart" });
  box.append(el("h3", {}, title));
  $("charts").append(box);
  const scales = { x: { time: true } };
  const axes = [{}];
  series.forEach((s, i) => {
    scales[s.scale] = { auto: true, range: (u, min, max) => [0, Math.max(max, s.min || 1)] };
    if (!axes.find((a) => a.scale === s.scale))
      axes.push({ scale: s.scale, side: i ? 1 : 3, size: 80, values: (u, v) => v.map(s.fmt), stroke: s.color });
  });
  const opts = {
    width: chartWidth(box), height: 160, scales, axes, legend: { show: true },
    series: [{}, ...series.map((s) => ({ label: s.label, scale: s.scale, stroke: s.color, width: 1.5, value: (u, v) => (v == null ? "–" : s.fmt(v)) }))],
  };
  const data = [[], ...series.map(() => [])];
  const u = typeof uPlot === "function" ? new uPlot(opts, data, box) : null;
  const c = { u, box, data, pick: series.map((s) => s.pick) };
  charts.push(c);
  return c;
}
const pct = (v) => v.toFixed(0) + "%";
const human = (v) => fmtBytes(v);
makeChart("Messages / s", [{ label: "all topics", scale: "hz", color: "#0969da", fmt: (v) => v.toFixed(0), pick: (m) => m.totals.rate_hz }]);
makeChart("Bandwidth", [{ label: "all topics", scale: "bps", color: "#8250df", fmt: (v) => fmtBytes(v) + "/s", pick: (m) => m.totals.bandwidth_bps }]);
makeChart("Recorder CPU and memory", [
  { label: "CPU", scale: "pct", color: "#bf3989", fmt: pct, pick: (m) => (m.status && m.status.health && m.status.health.cpu_pct) || 0 },
  { label: "RSS", scale: "mem", color: "#1a7f37", fmt: human, pick: (m) => (m.status && m.status.health && m.status.health.rss_bytes) || 0 },
]);
makeChart("Disk", [
  { label: "write", scale: "wr", color: "#9a6700", fmt: (v) => fmtBytes(v) + "/s", pick: (m) => (m.status && m.status.disk && m.status.disk.write_rate_bps) || 0 },
  { label: "free", scale: "free", color: "#57606a", fmt: human, pick: (m) => (m.status && m.status.disk && m.status.disk.free_bytes) || null },
]);

function windowS() { return Number($("window").value); }
function redraw() {
  const now = Date.now() / 1000, from = now - windowS();
  for (const c of charts) {
    if (!c.u) continue;
    let i = 0;
    while (i < c.data[0].length && c.data[0][i] < from) i++;
    c.u.setData(c.data.map((a) => a.slice(i)));
    c.u.setScale("x", { min: from, max: now });
  }
}
function addSample(m) {
  const t = m.time_ms / 1000;
  for (const c of charts) {
    c.data[0].push(t);
    c.pick.forEach((p, k) => c.data[k + 1].push(p(m)));
    while (c.data[0].length && c.data[0][0] < t - HISTORY_S) c.data.forEach((a) => a.shift());
  }
  redraw();
}
$("window").addEventListener("change", redraw);
function resize() { for (const c of charts) if (c.u) c.u.setSize({ width: chartWidth(c.box), height: 160 }); }
window.addEventListener("resize", resize);
window.addEventListener("load", resize);

/* ---- journal and bags ---------------------------------------------------------------------- */

function describe(ev) {
  let s = ev.event;
  if (ev.from) s += ` ${ev.from} → ${ev.state}`;
  else if (ev.verdict) s += ` ${ev.verdict}`;
  if (ev.reason) s += ` — ${ev.reason}`;
  return s;
}
const seen = new Set(); // a reconnecting stream replays the server's ring: show each event once
function addJournal(ev) {
  const key = `${ev.ts_ns}/${ev.event}/${ev.state}`;
  if (seen.has(key)) return;
  seen.add(key);
  const li = el("li", { "data-event": ev.event });
  li.dataset.ts = ev.ts_ns || 0;
  li.dataset.key = key;
  if (ev.alert || ev.verdict === "critical" || ev.event === "daemon_unreachable") li.className = "alert";
  li.append(el("time", { datetime: ev.time || "" }, (ev.time || "").replace("T", " ").slice(11, 19)));
  li.append(document.createTextNode(describe(ev)));
  const list = $("journal");
  // Newest first, by the daemon's clock: replayed history lands below live events.
  const after = [...list.children].find((x) => Number(x.dataset.ts) < Number(li.dataset.ts));
  list.insertBefore(li, after || null);
  while (list.children.length > 200) { seen.delete(list.lastChild.dataset.key); list.lastChild.remove(); }
}

let bagTimer = null;
const openBags = new Set(); // unfolded bags stay unfolded when the list is refreshed
async function loadBags() {
  try {
    const r = await fetch("/api/bags", { headers: authHeaders() });
    if (!r.ok) return;
    const bags = await r.json();
    const body = $("bags").tBodies[0];
    body.replaceChildren();
    for (const b of bags) {
      const r = body.insertRow();
      r.dataset.bag = b.name;
      const topics = Object.entries(b.topics).map(([k, v]) => `${k}: ${v}`).join("\n");
      // Messages per topic and the files (downloads) unfold under the name: usable by touch.
      const details = el("details");
      if (openBags.has(b.name)) details.open = true;
      details.addEventListener("toggle", () => (details.open ? openBags.add(b.name) : openBags.delete(b.name)));
      details.append(el("summary", {}, b.name));
      const tl = el("ul", { class: "bag-topics" });
      for (const [k, v] of Object.entries(b.topics)) tl.append(el("li", {}, `${k}: ${v} messages`));
      const fl = el("ul", { class: "bag-files" });
      for (const f of b.files) {
        const q = token ? "?token=" + encodeURIComponent(token) : "";
        const li = el("li");
        li.append(el("a", { href: `/bags/${encodeURIComponent(b.name)}/${encodeURIComponent(f)}${q}`, download: f }, f));
        fl.append(li);
      }
      details.append(tl, fl);
      r.insertCell().append(details);
      r.insertCell().textContent = fmtBytes(b.size_bytes);
      r.insertCell().textContent = b.duration_s == null ? "–" : fmtDur(b.duration_s);
      r.insertCell().textContent = b.segments;
      const m = r.insertCell();
      m.textContent = b.messages + (b.indexed ? "" : "+");
      m.title = b.indexed ? topics : "a segment is being written or was cut short: counts are partial\n" + topics;
      const flag = r.insertCell();
      if (b.recovered) flag.append(el("span", { class: "pill warn" }, "recovered"));
    }
  } catch (e) { /* the next bag event retries */ }
}
function bagsSoon() { clearTimeout(bagTimer); bagTimer = setTimeout(loadBags, 500); }

/* ---- the stream ------------------------------------------------------------------------------ */

function connect() {
  const es = new EventSource("/api/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  es.addEventListener("live", (e) => {
    const m = JSON.parse(e.data);
    showStatus(m.status, m.daemon_up, m.daemon_error);
    showTopics(m.topics || []);
    addSample(m);
  });
  es.addEventListener("journal", (e) => {
    const ev = JSON.parse(e.data);
    addJournal(ev);
    if (ev.event === "session_start" || ev.event === "transition" || ev.event === "daemon_reachable") bagsSoon();
  });
  es.onerror = () => { $("link").textContent = "reconnecting…"; $("link").className = "pill warn"; };
}
connect();
loadBags();
