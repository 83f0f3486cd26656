// The e2e rig: the real stack (own database, the example jobs/ folder, the built UI at `/`)
// and a headless Chromium page of 1280×800. Page helpers live here so tests read as steps.
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestStack, type TestStack } from "../helpers/stack.ts";
import { RENDERER_DIR } from "./build-renderer.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
// The README's pictures are refreshed on request (FLUXBASE_SCREENSHOTS=1 npm run test:e2e);
// ordinary runs write theirs under .tmp so a test run leaves the tree as it was.
export const SCREENSHOTS = process.env.FLUXBASE_SCREENSHOTS
  ? path.join(root, "docs/screenshots")
  : path.join(root, ".tmp/screenshots");
const EXAMPLES = ["process-data.ts", "long-import.ts", "flaky-job.ts", "jobs.d.ts"];

export interface UiRig {
  t: TestStack;
  browser: Browser;
  page: Page;
  /** Opens the printed one-time sign-in link and waits for the Runs view. */
  signIn(): Promise<void>;
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

export async function startUiRig(): Promise<UiRig> {
  const t = await startTestStack({ rendererDir: RENDERER_DIR });
  for (const file of EXAMPLES)
    await copyFile(path.join(root, "jobs", file), path.join(t.jobsDir, file));
  const { error } = await t.service.admin.jobs.sync({ namespace: "default" });
  if (error) throw error;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
  });
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  return {
    t,
    browser,
    page,
    async signIn() {
      await page.goto(`${t.url}/#/login?code=${t.stack.uiLoginCode}`);
      await page.waitForURL(/#\/runs/, { timeout: 20_000 });
    },
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, name) });
    },
    async stop() {
      await browser.close();
      await t.stop();
      if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    },
  };
}
