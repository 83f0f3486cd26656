// UI figures, measured in headless Chromium against the real local stack (embedded PostgreSQL,
// the built renderer at `/`, signed in as the UI admin):
//   1. bundle size: gzip of the entry chunk, and of all JS the Runs view loads (as requested
//      by the page, sizes from out/renderer; built first when missing or stale);
//   2. first paint of the Runs view with 10,000 jobs in the database: first-contentful-paint
//      and the time until the first row is in the DOM, from navigation start (median of 5);
//   3. responsiveness while 50 running jobs report progress 10 times a second each (a direct
//      SQL writer in its own process; the page is subscribed over realtime): frame intervals
//      from requestAnimationFrame for ~10 s, and long animation frames where supported.
// Figures are printed, never asserted. Knobs: BENCH_UI_SECONDS (10), CHROMIUM_PATH.
import { fork } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { createDb } from "../src-server/db/connections.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack, type LocalStack } from "../src-server/main.ts";
import buildRenderer, { RENDERER_DIR } from "../test/e2e/build-renderer.ts";
import type { WriteCommand } from "./realtime-writer.ts";
import { fmt, percentile, runBenchmark } from "./stats.ts";

const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 10);
const JOBS = 10_000;
const RUNNING = 50;
const UPDATES_PER_SECOND = 10;
const PAINT_SAMPLES = 5;

const kb = (bytes: number) => `${fmt(bytes / 1024)} kB`;

async function gzipOf(file: string): Promise<{ raw: number; gz: number }> {
  const data = await readFile(file);
  return { raw: data.length, gz: gzipSync(data, { level: 9 }).length };
}

/** The entry chunk named by index.html's module script. */
async function entryChunk(): Promise<string> {
  const html = await readFile(path.join(RENDERER_DIR, "index.html"), "utf8");
  const src = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error("no module script in out/renderer/index.html");
  return src.replace(/^\.?\//, "");
}

/** Opens the Runs view in a new page; resolves with paint and first-row times and the JS it loaded. */
async function openRuns(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const scripts = new Set<string>();
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.pathname.endsWith(".js")) scripts.add(u.pathname.replace(/^\//, ""));
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __firstRow?: number };
    const check = () => {
      if (w.__firstRow === undefined && document.querySelector("[data-job-id]"))
        w.__firstRow = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${url}/#/runs`);
  await page.locator("[data-job-id]").first().waitFor({ timeout: 60_000 });
  const figures = await page.evaluate(() => ({
    fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    fp: performance.getEntriesByName("first-paint")[0]?.startTime ?? NaN,
    firstRow: (window as unknown as { __firstRow: number }).__firstRow,
  }));
  return { page, scripts, ...figures };
}

/** requestAnimationFrame intervals and long animation frames for `seconds` in the page. */
async function recordFrames(page: Page, seconds: number) {
  return page.evaluate(async (ms) => {
    const loaf: number[] = [];
    let observer: PerformanceObserver | undefined;
    if (PerformanceObserver.supportedEntryTypes.includes("long-animation-frame")) {
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) loaf.push(e.duration);
      });
      observer.observe({ type: "long-animation-frame" });
    }
    const stamps: number[] = [];
    await new Promise<void>((resolve) => {
      const t0 = performance.now();
      const tick = (t: number) => {
        stamps.push(t);
        if (t - t0 < ms) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    observer?.disconnect();
    const intervals = stamps.slice(1).map((t, i) => t - stamps[i]!);
    return { intervals, loaf, loafSupported: !!observer };
  }, seconds * 1000);
}

async function main() {
  buildRenderer();
  const entry = await entryChunk();
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-ui-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "bench" });
  let stack: LocalStack | undefined;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
  try {
    const defaults = defaultServerConfig(dir);
    const config = {
      ...defaults,
      port: 0,
      databaseUrl: pg.connectionString,
      dataDir: path.join(dir, "data"),
      logLevel: "silent" as const,
      jobs: { ...defaults.jobs, autoLoadOnBoot: false, embeddedWorkerCount: 1 },
    };
    stack = await startLocalStack({ config, logger: silentLogger, rendererDir: RENDERER_DIR });
    // The rows below are nobody's: stop the pool so its reaper leaves the running ones be.
    await stack.pool.stop();
    const db = createDb({ connectionString: pg.connectionString, max: 4 });
    await db.query(
      `INSERT INTO jobs.queue (namespace, job_name, status, created_at, started_at, completed_at, progress, result)
       SELECT 'default', 'bulk-' || (i % 7), 'completed', now() - i * interval '1 second',
              now() - i * interval '1 second', now() - i * interval '1 second' + interval '200 ms',
              '{"percent": 100}', '{"ok": true}'
       FROM generate_series(1, $1::int) AS i`,
      [JOBS],
    );
    await db.query("VACUUM ANALYZE jobs.queue");

    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
    });
    // tsx keeps function names with a `__name` helper, which page functions must find too.
    await context.addInitScript({ content: "globalThis.__name = (f) => f;" });
    const login = await context.newPage();
    await login.goto(`${stack.url}/#/login?code=${stack.uiLoginCode}`);
    await login.waitForURL(/#\/runs/, { timeout: 30_000 });
    await login.locator("[data-job-id]").first().waitFor({ timeout: 60_000 }); // warms the server's caches
    await login.close();

    // 1 + 2: fresh pages in the signed-in context (HTTP cache cleared between samples).
    const fcp: number[] = [];
    const firstRow: number[] = [];
    let runsScripts = new Set<string>();
    for (let i = 0; i < PAINT_SAMPLES; i++) {
      const blank = await context.newPage();
      await (await context.newCDPSession(blank)).send("Network.clearBrowserCache");
      await blank.close();
      const sample = await openRuns(context, stack.url);
      fcp.push(sample.fcp);
      firstRow.push(sample.firstRow);
      runsScripts = sample.scripts;
      await sample.page.close();
    }
    const entrySize = await gzipOf(path.join(RENDERER_DIR, entry));
    let raw = 0;
    let gz = 0;
    for (const script of runsScripts) {
      const size = await gzipOf(path.join(RENDERER_DIR, script));
      raw += size.raw;
      gz += size.gz;
    }
    console.log(
      `ui: Chromium headless 1280×800, ${fmt(JOBS, 0)} jobs in the database; PostgreSQL embedded`,
    );
    console.log(`bundle: entry ${entry} ${kb(entrySize.gz)} gzip (${kb(entrySize.raw)} raw)`);
    console.log(
      `bundle: Runs view loads ${runsScripts.size} JS files, ${kb(gz)} gzip (${kb(raw)} raw): ${[...runsScripts].map((s) => path.basename(s)).join(", ")}`,
    );
    const med = (v: number[]) => fmt(percentile(v, 50), 0);
    console.log(
      `first paint (Runs, ${fmt(JOBS, 0)} jobs, median of ${PAINT_SAMPLES}): FCP ${med(fcp)} ms, first row ${med(firstRow)} ms after navigation start (first rows: ${firstRow.map((v) => fmt(v, 0)).join(", ")} ms)`,
    );

    // 3: 50 running rows reporting progress 10×/s each while the page records frames.
    const page = (await openRuns(context, stack.url)).page;
    await page.locator(".live.on").waitFor({ timeout: 20_000 });
    const rows = await db.query<{ id: string }>(
      `INSERT INTO jobs.queue (namespace, job_name, status, started_at, progress)
       SELECT 'default', 'ticker', 'running', now(), '{"percent": 0}' FROM generate_series(1, $1::int) RETURNING id`,
      [RUNNING],
    );
    // Arrived over realtime (the table is virtualised: only the rows in view are in the DOM).
    await page.waitForFunction(
      () => document.querySelectorAll('[data-status="running"]').length >= 15,
      undefined,
      {
        timeout: 20_000,
      },
    );
    const rate = RUNNING * UPDATES_PER_SECOND;
    const writer = fork(fileURLToPath(new URL("./realtime-writer.ts", import.meta.url)));
    const written = new Promise<{ achieved: number }>((resolve) => writer.once("message", resolve));
    writer.send({
      url: pg.connectionString,
      ids: rows.map((r) => r.id),
      rate,
      count: rate * SECONDS,
    } satisfies WriteCommand);
    const frames = await recordFrames(page, SECONDS);
    const { achieved } = await written;
    const iv = frames.intervals;
    console.log(
      `progress load: ${RUNNING} running jobs × ${UPDATES_PER_SECOND}/s = ${rate} updates/s requested (${fmt(achieved, 0)}/s achieved) for ${SECONDS} s`,
    );
    console.log(
      `  frames: ${iv.length} (${fmt(iv.length / SECONDS, 1)}/s); interval p50 ${fmt(percentile(iv, 50))} ms, p99 ${fmt(percentile(iv, 99))} ms, longest ${fmt(Math.max(...iv))} ms; ${iv.filter((v) => v > 100).length} over 100 ms, ${iv.filter((v) => v > 50).length} over 50 ms`,
    );
    if (frames.loafSupported)
      console.log(
        `  long animation frames (>50 ms): ${frames.loaf.length}, longest ${fmt(Math.max(0, ...frames.loaf))} ms, ${frames.loaf.filter((v) => v > 100).length} over 100 ms`,
      );
    else console.log("  long animation frames: not supported by this Chromium");
    await db.end();
  } finally {
    await browser.close();
    await stack?.stop();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
