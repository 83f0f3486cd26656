// Secrets and users through the UI: a system secret set in the Secrets view reaches a job
// written and run in the IDE; a user made in the Users view signs in (email and password) in
// a second browser context, submits a run, sees only their own runs, and the admin sees it.
// Also pictures of the remaining views (schedules, connect) and of Runs in the dark theme.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
  // A scheduled function, so the Schedules view has a row to show.
  await rig.t.writeJob(
    "nightly-report.ts",
    `/**
 * Nightly report.
 * @fluxbase:schedule 0 2 * * *
 * @fluxbase:description Summarises yesterday's runs
 */
export async function handler() {
  return { ok: true };
}
`,
  );
  const { error } = await rig.t.service.admin.jobs.sync({ namespace: "default" });
  if (error) throw error;
  await rig.signIn();
});
// Every test starts on the Runs view with the focus on the page, where g-shortcuts navigate.
beforeEach(async () => {
  await rig.page.goto(`${rig.t.url}/#/runs`);
  await rig.page.getByRole("navigation", { name: "Main" }).waitFor({ timeout: 20_000 });
});
afterAll(async () => {
  await rig?.stop();
});

async function go(key: string, url: RegExp): Promise<void> {
  await rig.page.keyboard.press("g");
  await rig.page.keyboard.press(key);
  await rig.page.waitForURL(url);
}

describe("Secrets", () => {
  it("adds a system secret that a job written in the IDE reads", async () => {
    const { page, t } = rig;
    await go("k", /#\/secrets/);
    await page.getByTestId("secret-key").fill("GREETING");
    await page.getByTestId("secret-value").fill("hello-from-a-secret");
    await page.getByTestId("secret-form").getByRole("button", { name: "Add" }).click();
    const row = page.getByTestId("secret-GREETING");
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).not.toContain("hello-from-a-secret");

    // A new job file from the IDE's tree, its text replaced through the editor.
    await go("j", /#\/jobs/);
    await page.getByTestId("file-new").click();
    await page.getByTestId("file-name").fill("read-secret.ts");
    await page.getByRole("button", { name: "OK" }).click();
    const editor = page.getByTestId("code-editor");
    await editor.locator(".view-lines").getByText("working").waitFor({ timeout: 20_000 });
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.insertText(
      "// @fluxbase:description Reads a secret\n" +
        'export async function handler() { return { greeting: secrets.get("GREETING") }; }\n',
    );
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+s");
    await page.getByTestId("dirty").waitFor({ state: "detached", timeout: 10_000 });
    expect(await readFile(path.join(t.jobsDir, "read-secret.ts"), "utf8")).toContain(
      'export async function handler() { return { greeting: secrets.get("GREETING") }; }',
    );
    // The watcher loads the edited function (its description tells it from the template).
    await waitFor(
      async () => {
        const { data } = await t.service.admin.jobs.listFunctions();
        const fn = data?.find((f) => f.name === "read-secret");
        if (fn?.description !== "Reads a secret") throw new Error(JSON.stringify(fn));
        return true;
      },
      { timeoutMs: 15_000, what: "the edited read-secret to load" },
    );
    await page.getByTestId("run-submit").click();
    await page.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    await page
      .getByTestId("run-result")
      .getByText(/"greeting": "hello-from-a-secret"/)
      .waitFor();

    await go("k", /#\/secrets/);
    await row.getByText("read-secret.ts").waitFor({ timeout: 10_000 });
    await rig.screenshot("secrets.png");
  });
});

describe("Users", () => {
  it("creates a user who signs in, runs a job and sees only their own runs", async () => {
    const { page, t, browser } = rig;
    // Another user's run, which the new user must not see.
    const carol = await t.signUp("carol@example.com");
    const { data: carolJob } = await carol.jobs.submit("process-data", { items: [1] });
    expect(carolJob).toBeTruthy();

    await go("u", /#\/users/);
    // A generated password is shown once, with a copy button.
    await page.getByLabel("Email").fill("dora@example.com");
    await page.getByTestId("generate-password").click();
    const generated = await page.getByTestId("user-password").inputValue();
    expect(generated).toMatch(/^[0-9a-f]{24}$/);
    await page.getByRole("button", { name: "Create user" }).click();
    const once = page.getByTestId("generated-password");
    await once.getByText(generated).waitFor({ timeout: 10_000 });
    await once.getByRole("button", { name: "Copy password" }).waitFor();
    await once.getByRole("button", { name: "Dismiss" }).click();
    await once.waitFor({ state: "detached" });
    // The last admin cannot be deleted.
    expect(
      await page
        .getByTestId("user-admin@fluxbase.local")
        .getByRole("button", { name: "Delete admin@fluxbase.local" })
        .isDisabled(),
    ).toBe(true);

    await page.getByTestId("user-email").fill("bob@example.com");
    await page.getByTestId("user-password").fill("bob-password-1");
    await page.getByTestId("user-role").selectOption("authenticated");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByTestId("user-bob@example.com").waitFor({ timeout: 10_000 });
    await rig.screenshot("users.png");

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const bob = await context.newPage();
      await bob.goto(`${t.url}/#/login`);
      await bob.getByLabel("Email").fill("bob@example.com");
      await bob.getByLabel("Password").fill("bob-password-1");
      await bob.getByRole("button", { name: "Sign in" }).click();
      await bob.waitForURL(/#\/runs/);
      await bob.getByText("bob@example.com").waitFor();
      // Only the pages he may use (the API reference is every user's): no admin page in the
      // navigation, nor by address.
      const nav = bob.getByRole("navigation", { name: "Main" });
      await nav.getByText("Runs").waitFor();
      expect(await nav.locator("a").allTextContents()).toEqual([
        expect.stringContaining("Runs"),
        expect.stringContaining("Secrets"),
        expect.stringContaining("API"),
      ]);
      await bob.goto(`${t.url}/#/users`);
      await bob.waitForFunction(() => location.hash.startsWith("#/runs"));
      expect(await bob.getByText("Insufficient permissions").count()).toBe(0);
      // Nothing of his yet (carol's run is not his): the empty state's example submits one.
      await bob.getByTestId("run-example").click({ timeout: 10_000 });
      await bob
        .locator('[data-testid="run-detail"][data-status="completed"]')
        .waitFor({ timeout: 30_000 });
      const bobJobId = /#\/runs\/([^/?]+)/.exec(bob.url())?.[1];
      expect(bobJobId).toBeTruthy();
      await bob.keyboard.press("Escape");
      await bob.locator(`[data-job-id="${bobJobId}"]`).waitFor();

      // The admin sees bob's run; a second run of carol's arrives for the admin, not for bob.
      await go("r", /#\/runs/);
      await page.locator(`[data-job-id="${bobJobId}"]`).waitFor({ timeout: 10_000 });
      await page.locator(`[data-job-id="${carolJob!.id}"]`).waitFor();
      const { data: carolLater } = await carol.jobs.submit("process-data", { items: [2] });
      await page
        .locator(`[data-job-id="${carolLater!.id}"][data-status="completed"]`)
        .waitFor({ timeout: 30_000 });
      expect(await bob.locator("[data-job-id]").count()).toBe(1);
      expect(await bob.locator(`[data-job-id="${carolJob!.id}"]`).count()).toBe(0);
      expect(await bob.locator(`[data-job-id="${carolLater!.id}"]`).count()).toBe(0);
      // And after a reload (a fresh list from the server) still only his own.
      await bob.reload();
      await bob.locator(`[data-job-id="${bobJobId}"]`).waitFor({ timeout: 10_000 });
      expect(await bob.locator("[data-job-id]").count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});

describe("other views", () => {
  it("shows the schedules, the connect page and the runs in the dark theme", async () => {
    const { page, t } = rig;
    // A run of its own for the dark picture of Runs.
    const { data: run, error } = await t.service.jobs.submit("process-data", { items: [1] });
    expect(error).toBeNull();
    await go("s", /#\/schedules/);
    await page.getByTestId("schedule-nightly-report").waitFor({ timeout: 10_000 });
    await rig.screenshot("schedules.png");
    await go("c", /#\/connect/);
    await page.getByTestId("anon-key").getByText(/^ey/).waitFor({ timeout: 10_000 });
    await rig.screenshot("connect.png");
    await go("r", /#\/runs/);
    await page.getByTestId("theme-toggle").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.locator(`[data-job-id="${run!.id}"]`).waitFor({ timeout: 10_000 });
    await rig.screenshot("runs-dark.png");
    await page.getByTestId("theme-toggle").click();
  });
});
