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
/** The admin `signInWithPassword` creates; not the UI admin of the one-time link. */
export const PASSWORD_ADMIN = { email: "e2e-admin@example.com", password: "e2e-admin-pass" };
const EXAMPLES = ["process-data.ts", "long-import.ts", "flaky-job.ts", "jobs.d.ts"];

export interface UiRig {
  t: TestStack;
  browser: Browser;
  page: Page;
  /** Opens the printed one-time sign-in link and waits for the Runs view. */
  signIn(): Promise<void>;
  /**
   * Signs in through the email and password form as an admin the rig creates on first use,
   * so a test can have a session without spending the one-time link.
   */
  signInWithPassword(): Promise<void>;
  /** Replaces `page` with one in a new browser context: no session, no saved state. */
  freshPage(): Promise<Page>;
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
  const errors: string[] = [];
  const openPage = async (): Promise<Page> => {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
    });
    page.on("pageerror", (err) => errors.push(err.message));
    return page;
  };
  let passwordAdmin: Promise<void> | undefined;
  const rig: UiRig = {
    t,
    browser,
    page: await openPage(),
    async signIn() {
      await rig.page.goto(`${t.url}/#/login?code=${t.stack.uiLoginCode}`);
      await rig.page.waitForURL(/#\/runs/, { timeout: 20_000 });
    },
    async signInWithPassword() {
      passwordAdmin ??= t.service.admin.users
        .create({ email: PASSWORD_ADMIN.email, password: PASSWORD_ADMIN.password, role: "admin" })
        .then(({ error }) => {
          if (error) throw error;
        });
      await passwordAdmin;
      const { page } = rig;
      await page.goto(`${t.url}/#/login`);
      await page.getByLabel("Email").fill(PASSWORD_ADMIN.email);
      await page.getByLabel("Password").fill(PASSWORD_ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/#\/runs/, { timeout: 20_000 });
    },
    async freshPage() {
      const old = rig.page;
      rig.page = await openPage();
      await old.context().close();
      return rig.page;
    },
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await rig.page.screenshot({ path: path.join(SCREENSHOTS, name) });
    },
    async stop() {
      await browser.close();
      await t.stop();
      if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    },
  };
  return rig;
}
