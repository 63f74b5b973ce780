// The dashboard in a real browser (Debian's chromium driven by playwright-core) against a real
// daemon, built-in recorder and demo traffic: a live rate for a demo topic, an `expect:` breach
// marked on its row, Stop and Start changing the state and a new bag appearing, a recorder
// killed with SIGKILL showing up as an event and a recovery, and a phone-sized screen without
// sideways scrolling. Screenshots go to ARTIFACTS. With TOKEN_URL and TOKEN (a second server
// that requires a token): the page opened as TOKEN_URL#token=TOKEN goes live and can split,
// while the page without it gets nothing.
// Usage: node web_browser.mjs URL ARTIFACTS [TOKEN_URL TOKEN]. Exit 77 when chromium cannot start.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [url, art, tokenUrl, token] = process.argv.slice(2);
mkdirSync(art, { recursive: true });
const T = 60000; // bound on every wait: conditions, not sleeps

let browser;
try {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
} catch (e) {
  console.log(`SKIP: chromium cannot run: ${e.message.split("\n")[0]}`);
  process.exit(77);
}
const fail = async (page, why) => {
  console.error(`FAIL: ${why}`);
  if (page) await page.screenshot({ path: `${art}/failure.png`, fullPage: true }).catch(() => {});
  await browser.close();
  process.exit(1);
};
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
const step = async (what, fn) => {
  try { await fn(); console.log(`ok: ${what}`); } catch (e) { await fail(page, `${what}: ${e.message.split("\n")[0]}`); }
};
const state = () => page.locator("#state").textContent();
const waitState = (s) => page.waitForFunction((s) => document.getElementById("state").textContent === s, s, { timeout: T });
const bagCount = () => page.locator("#bags tbody tr").count();

await page.goto(url);
await step("state RECORDING on the page", () => waitState("RECORDING"));
await step("a live rate for /chatter", () => page.waitForFunction(() => {
  const c = document.querySelector('#topics tr[data-topic="/chatter"] td.rate');
  return c && /^[0-9.]+ Hz$/.test(c.textContent) && parseFloat(c.textContent) > 0;
}, null, { timeout: T }));
await step("the expect: breach marked on /chatter", () => page.waitForFunction(() => {
  const r = document.querySelector('#topics tr[data-topic="/chatter"]');
  const c = r && r.querySelector("td.status");
  return !!c && r.classList.contains("breach") && /expect: breach/.test(c.textContent) && /^\/chatter .*expected >= 100000 Hz/.test(c.title);
}, null, { timeout: T }));
await step("the charts drew", () => page.waitForFunction(() => document.querySelectorAll("#charts canvas").length >= 4, null, { timeout: T }));
await page.screenshot({ path: `${art}/dashboard.png`, fullPage: true });

await step("a bag listed", () => page.waitForFunction(() => document.querySelectorAll("#bags tbody tr").length >= 1, null, { timeout: T }));
const bagsBefore = await bagCount();
await page.click("#btn-stop");
await step("Stop -> IDLE", () => waitState("IDLE"));
await step("the stopped bag unfolds its topics and downloads", async () => {
  await page.waitForFunction(() => !/\+$/.test(document.querySelector("#bags tbody tr td:nth-child(5)").textContent), null, { timeout: T });
  await page.locator("#bags tbody tr details summary").first().click();
  await page.waitForFunction(() => {
    const d = document.querySelector("#bags tbody tr details[open]");
    return d && /\/chatter: \d+ messages/.test(d.textContent) && d.querySelector('a[href$=".mcap"]');
  }, null, { timeout: T });
  const href = await page.locator("#bags tbody tr details[open] a[href$='.mcap']").first().getAttribute("href");
  const r = await page.evaluate(async (h) => { const x = await fetch(h); return [x.status, (await x.arrayBuffer()).byteLength]; }, href);
  if (r[0] !== 200 || r[1] < 8) throw new Error(`download ${href}: ${r}`);
});
await page.screenshot({ path: `${art}/stopped.png`, fullPage: true });
// Bag folder names carry the start time to the second: the next one needs another second.
await page.waitForTimeout(1100);
await page.click("#btn-start");
await step("Start -> RECORDING", () => waitState("RECORDING"));
await step("a new bag appears", () => page.waitForFunction((n) => document.querySelectorAll("#bags tbody tr").length > n, bagsBefore, { timeout: T }));

const status = await page.evaluate(async () => (await fetch("/api/status")).json());
if (!(status.pid > 0)) await fail(page, `no recorder pid in status: ${JSON.stringify(status)}`);
process.kill(status.pid, "SIGKILL");
await step("the crash in the journal", () => page.waitForFunction(() =>
  [...document.querySelectorAll("#journal li")].some((li) => /RECORDING → RECOVERING/.test(li.textContent) && /SIGKILL/.test(li.textContent)),
  null, { timeout: T }));
await step("recovered: RECORDING again with a new recorder", () => page.waitForFunction((old) => {
  return document.getElementById("state").textContent === "RECORDING" && /pid (\d+)/.test(document.getElementById("proc").textContent) &&
    document.getElementById("proc").textContent.match(/pid (\d+)/)[1] !== String(old);
}, status.pid, { timeout: T }));
await step("restart counted", () => page.waitForFunction(() => /^[1-9]/.test(document.getElementById("restarts").textContent), null, { timeout: T }));
const first = await page.locator("#journal li").first().textContent();
await page.screenshot({ path: `${art}/recovered.png`, fullPage: true });

await page.setViewportSize({ width: 390, height: 844 });
await step("phone width: no sideways scrolling", () => page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth + 1, null, { timeout: 5000 }));
await page.screenshot({ path: `${art}/phone.png`, fullPage: true });
if (tokenUrl) {
  const tp = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  tp.on("pageerror", (e) => errors.push(e.message));
  await tp.goto(tokenUrl);
  await step("without the token: no data", () => tp.waitForFunction(() => document.getElementById("state").textContent === "?" &&
    document.getElementById("link").textContent !== "live", null, { timeout: 5000 }));
  // A fragment change alone does not reload the page: the token is read at load.
  await tp.goto(`${tokenUrl}#token=${token}`);
  await tp.reload();
  await step("with #token=: live", () => tp.waitForFunction(() => document.getElementById("state").textContent === "RECORDING" &&
    document.getElementById("link").textContent === "live", null, { timeout: T }));
  if (tp.url().includes(token)) await fail(tp, "the token stayed in the address bar");
  await tp.click("#btn-split");
  await step("split with the token", () => tp.waitForFunction(() => /^split: /.test(document.getElementById("cmd-result").textContent), null, { timeout: T }));
  await tp.screenshot({ path: `${art}/token.png`, fullPage: true });
}
if (errors.length) await fail(page, `page errors: ${errors.join("; ")}`);
console.log(`PASS (state ${await state()}, newest event: ${first.trim()})`);
await browser.close();
