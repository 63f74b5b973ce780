// Keeps N dashboard pages open in headless chromium for SECONDS (bench/bench_web.sh).
// Usage: node bench/web_pages.mjs URL N SECONDS (playwright-core from tests/e2e/node_modules).
import { createRequire } from "node:module";
const require = createRequire(new URL("../tests/e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const [url, n, secs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const pages = [];
for (let i = 0; i < n; i++) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await p.goto(url);
  await p.waitForFunction(() => document.getElementById("state").textContent === "RECORDING", null, { timeout: 60000 });
  pages.push(p);
}
console.log("open");
await new Promise((r) => setTimeout(r, secs * 1000));
await browser.close();
