// The Runs view: a submitted job reaches completed live; a long job is cancelled from the
// detail pane; the empty state's example button submits process-data; the server finds a
// run by a payload value; the filters live in the URL; the trace of a retried run; deep
// links; the keyboard; 1024 px; and recovery after the server restarts.
import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalStack } from "../../src-server/main.ts";
import { ownerQuery } from "../helpers/app-tables.ts";
import { waitFor } from "../helpers/wait.ts";
import { silentLogger } from "../../src-server/logger.ts";
import { startLocalStack } from "../../src-server/main.ts";
import { RENDERER_DIR } from "./build-renderer.ts";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;
/** The server the outage test starts again in place of the stopped one (same port, same database). */
let restarted: LocalStack | undefined;

/** Waits for the hash (where the app keeps its route and filters) to contain `part`. */
async function waitForHash(page: Page, part: string): Promise<void> {
  await page.waitForFunction((p) => location.hash.includes(p), part, { timeout: 10_000 });
}

beforeAll(async () => {
  rig = await startUiRig();
  await rig.signIn();
});
// Every test starts on the plain Runs list: no pane open, no filter, no search.
beforeEach(async () => {
  const { page, t } = rig;
  await page.goto(`${t.url}/#/runs`);
  await page
    .locator('[data-testid="runs-table"], [data-testid="run-example"], .empty')
    .first()
    .waitFor({
      timeout: 20_000,
    });
});
afterAll(async () => {
  await restarted?.stop();
  await rig?.stop();
});

/** Cancels whatever is pending or running, then deletes every run, and reloads the page. */
async function emptyQueue(): Promise<void> {
  const { page, t } = rig;
  const active = await ownerQuery<{ id: string }>(
    t.database.url,
    "SELECT id FROM jobs.queue WHERE status IN ('pending', 'running')",
  );
  for (const { id } of active) await t.service.jobs.cancel(id);
  await waitFor(
    async () => {
      const left = await ownerQuery(
        t.database.url,
        "SELECT 1 FROM jobs.queue WHERE status IN ('pending', 'running')",
      );
      return left.length === 0 ? true : undefined;
    },
    { timeoutMs: 20_000, what: "the active runs to stop" },
  );
  await ownerQuery(t.database.url, "DELETE FROM jobs.queue");
  await page.reload();
}

/** Submits a flaky-job that fails once and waits for it to complete; returns its id. */
async function completedRetriedRun(): Promise<string> {
  const { data: job, error } = await rig.t.service.jobs.submit("flaky-job", {
    succeed_on_attempt: 2,
  });
  if (error) throw error;
  await waitFor(
    async () => {
      const { data } = await rig.t.service.jobs.get(job!.id);
      return data?.status === "completed" ? true : undefined;
    },
    { timeoutMs: 30_000, what: "the retried run to complete" },
  );
  return job!.id;
}

describe("Runs view", () => {
  it("teaches with an empty state whose button runs the example job live to completion", async () => {
    const { page } = rig;
    await emptyQueue();
    await page.getByTestId("run-example").click();
    const detail = page.getByTestId("run-detail");
    await detail.waitFor();
    await page
      .locator('[data-testid="run-detail"][data-status="completed"]')
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("detail-percent").textContent()).toBe("100 %");
    expect(await page.getByTestId("detail-progress").getAttribute("aria-valuenow")).toBe("100");
    await page
      .getByTestId("detail-result")
      .getByText(/processed: ?5/)
      .waitFor();
    await page.getByTestId("run-logs").getByText("Running for user").waitFor({ timeout: 10_000 });
  });

  it("shows a job submitted elsewhere arriving and completing live", async () => {
    const { page, t } = rig;
    const user = await t.signUp("ada@example.com");
    const { data: job, error } = await user.jobs.submit("process-data", {
      items: [1, 2, 3, 4, 5, 6, 7, 8],
    });
    expect(error).toBeNull();
    const row = page.locator(`[data-job-id="${job!.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await page
      .locator(`[data-job-id="${job!.id}"][data-status="completed"]`)
      .waitFor({ timeout: 30_000 });
    await row.click();
    await page
      .getByTestId("detail-result")
      .getByText(/processed: ?8/)
      .waitFor();
    expect(await page.getByTestId("detail-percent").textContent()).toBe("100 %");
    // Something to look at in the screenshots: a failed run and one still running.
    await t.service.jobs.submit("flaky-job", {});
    await t.service.jobs.submit("long-import", { batches: 60, batch_ms: 500 });
    await page.locator('[data-status="running"]').first().waitFor({ timeout: 20_000 });
    await page
      .locator('[data-testid="runs-table"] [data-status="failed"]')
      .first()
      .waitFor({ timeout: 30_000 });
    await rig.screenshot("run-detail.png");
    await page.keyboard.press("Escape");
    await rig.screenshot("runs.png");
  });

  it("cancels a long job from the detail pane", async () => {
    const { page, t } = rig;
    const { data: job } = await t.service.jobs.submit("long-import", {
      batches: 120,
      batch_ms: 500,
    });
    await page
      .locator(`[data-job-id="${job!.id}"][data-status="running"]`)
      .click({ timeout: 20_000 });
    await page.getByTestId("action-cancel").click();
    await page
      .locator(`[data-testid="run-detail"][data-status="cancelled"]`)
      .waitFor({ timeout: 20_000 });
    const { data } = await t.service.jobs.get(job!.id);
    expect(data?.status).toBe("cancelled");
  });

  it("filters by status and bulk-cancels the filtered set after a confirm showing the count", async () => {
    const { page, t } = rig;
    for (let i = 0; i < 3; i++)
      await t.service.jobs.submit(
        "long-import",
        { batches: 120, batch_ms: 500 },
        { scheduled_at: new Date(Date.now() + 3600_000) },
      );
    await page.getByTestId("filter-status").selectOption("pending");
    await page.getByTestId("bulk-cancel").getByText("Cancel all (3)").waitFor({ timeout: 10_000 });
    await page.getByTestId("bulk-cancel").click();
    await page.getByRole("dialog").getByText("Cancel 3 pending or running runs").waitFor();
    await page.getByTestId("confirm").click();
    await page.getByText("Cancelled 3 runs").waitFor({ timeout: 10_000 });
    await page.getByTestId("filter-status").selectOption("");
  });
});

describe("Runs view: search, URL, trace, deep links", () => {
  it("finds a run by a payload value it never opened, with the filters in the URL surviving a reload", async () => {
    const { page, t } = rig;
    const { data: target } = await t.service.jobs.submit("process-data", {
      items: [1, 2],
      customer: { name: "Quokka-4242 Ltd" },
    });
    await page
      .locator(`[data-job-id="${target!.id}"][data-status="completed"]`)
      .waitFor({ timeout: 30_000 });
    expect(rig.page.url()).not.toContain(target!.id);
    await page.getByTestId("runs-search").fill("quokka-4242");
    await page.getByTestId("runs-search").press("Enter");
    await page
      .waitForFunction(() => document.querySelectorAll("[data-job-id]").length === 1, undefined, {
        timeout: 10_000,
      })
      .catch(async (err: unknown) => {
        await rig.screenshot("failed-search.png");
        throw err;
      });
    await page.locator(`[data-job-id="${target!.id}"]`).waitFor();
    expect(await page.getByTestId("runs-count").textContent()).toContain("1 run");
    await page.getByTestId("filter-status").selectOption("completed");
    await waitForHash(page, "status=completed");
    expect(page.url()).toContain("q=quokka-4242");
    // Every defined function is offered, not only those of the runs shown.
    const options = await page.getByTestId("filter-function").locator("option").allTextContents();
    expect(options).toEqual(expect.arrayContaining(["flaky-job", "long-import", "process-data"]));

    await page.reload();
    await page.locator(`[data-job-id="${target!.id}"]`).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("runs-search").inputValue()).toBe("quokka-4242");
    expect(await page.getByTestId("filter-status").inputValue()).toBe("completed");
    expect(await page.locator("[data-job-id]").count()).toBe(1);

    // Sorting is in the URL too.
    await page.getByTestId("sort-job_name").click();
    await waitForHash(page, "sort=job_name");
    expect(page.url()).toContain("order=asc");
    // Descending is the default direction, so it leaves the URL.
    await page.getByTestId("sort-job_name").click();
    await page.waitForFunction(() => !location.hash.includes("order=asc"), undefined, {
      timeout: 10_000,
    });
    expect(page.url()).toContain("sort=job_name");
    await page.getByTestId("sort-created_at").click();
  });

  it("opens a deep link to a run outside the list, and says when a run does not exist", async () => {
    const { page, t } = rig;
    const { data: other } = await t.service.jobs.submit("long-import", {
      batches: 1,
      batch_ms: 10,
    });
    const base = page.url().split("#")[0];
    await page.goto(`${base}#/runs/${other!.id}?q=quokka-4242`);
    await page.locator(`[data-testid="run-detail"]`).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("detail-id").textContent()).toBe(other!.id);
    expect(await page.locator(`[data-job-id="${other!.id}"]`).count()).toBe(0);
    await page.goto(`${base}#/runs/00000000-0000-4000-8000-000000000000`);
    await page.getByTestId("run-missing").getByText("Run not found").waitFor({ timeout: 10_000 });
    await page.goto(`${base}#/runs`);
  });

  it("shows the trace of a retried run: one row per attempt, the delays, the total", async () => {
    const { page, t } = rig;
    const { data: job } = await t.service.jobs.submit("flaky-job", { succeed_on_attempt: 3 });
    await page
      .locator(`[data-job-id="${job!.id}"][data-status="completed"]`)
      .click({ timeout: 30_000 });
    const rows = page.getByTestId("attempt-row");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="attempt-row"]').length === 3,
      undefined,
      { timeout: 10_000 },
    );
    expect(await rows.nth(0).textContent()).toContain("failed");
    expect(await rows.nth(2).textContent()).toContain("completed");
    const trace = page.getByTestId("run-trace");
    await trace.getByText("Simulated failure on attempt 1").waitFor();
    await trace.getByText("Simulated failure on attempt 2").waitFor();
    expect(await trace.getByText(/retried after/).count()).toBe(2);
    expect(await page.getByTestId("trace-total").textContent()).toMatch(/\d/);
    await page.getByTestId("run-logs").getByText("Attempt 3").waitFor({ timeout: 10_000 });
    // The failures' stack frames link to the job's file in the IDE.
    const link = page.getByTestId("run-logs").getByTestId("stack-link").first();
    await link.waitFor({ timeout: 10_000 });
    expect(await link.getAttribute("title")).toMatch(/jobs\/flaky-job\.ts at line \d+/);
    await rig.screenshot("run-trace.png");
    // Clicking it opens the IDE on that file with the cursor on that line.
    const line = Number(/at line (\d+)/.exec((await link.getAttribute("title")) ?? "")?.[1]);
    const runsUrl = page.url();
    await link.click();
    await waitForHash(page, "#/jobs");
    const editor = page.getByTestId("code-editor");
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="code-editor"]')?.getAttribute("data-cursor-line") ===
        String(n),
      line,
      { timeout: 20_000 },
    );
    expect(await editor.getAttribute("data-cursor-line")).toBe(String(line));
    expect(await page.locator(".bar .path").textContent()).toBe("flaky-job.ts");
    await page.goto(runsUrl);
    await page.getByTestId("run-detail").waitFor({ timeout: 10_000 });
    await page.keyboard.press("Escape");
  });

  it("shows when a scheduled run will run", async () => {
    const { page, t } = rig;
    const { data: job } = await t.service.jobs.submit(
      "process-data",
      { items: [1] },
      { scheduled_at: new Date(Date.now() + 2 * 3600_000) },
    );
    await page.locator(`[data-job-id="${job!.id}"]`).click({ timeout: 10_000 });
    await page
      .getByTestId("scheduled-for")
      .getByText(/in 1h 5\dm|in 2h 0m/)
      .waitFor({ timeout: 10_000 });
    await page.getByTestId("action-cancel").click();
    await page
      .locator('[data-testid="run-detail"][data-status="cancelled"]')
      .waitFor({ timeout: 10_000 });
    await page.keyboard.press("Escape");
  });
});

describe("Runs view: keyboard and small screens", () => {
  it("reaches a run row with Tab and opens it with Enter; a dialog takes focus, keeps it and closes on Esc", async () => {
    const { page, t } = rig;
    // A cancelled run for "Retry all" to offer, and two more so ArrowDown has a next row.
    const { data: held } = await t.service.jobs.submit(
      "process-data",
      { items: [1] },
      { scheduled_at: new Date(Date.now() + 3600_000) },
    );
    await t.service.jobs.cancel(held!.id);
    await page
      .locator(`[data-job-id="${held!.id}"][data-status="cancelled"]`)
      .waitFor({ timeout: 10_000 });
    for (let i = 0; i < 2; i++) {
      const { data: run } = await t.service.jobs.submit("process-data", { items: [1] });
      await page.locator(`[data-job-id="${run!.id}"]`).waitFor({ timeout: 10_000 });
    }
    await page.getByTestId("runs-search").focus();
    let focused: string | null = null;
    for (let i = 0; i < 30 && !focused; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(
        () => document.activeElement?.getAttribute("data-job-id") ?? null,
      );
    }
    expect(focused).toBeTruthy();
    await page.keyboard.press("Enter");
    await waitForHash(page, `#/runs/${focused}`);
    expect(await page.getByTestId("detail-id").textContent()).toBe(focused);
    await page.keyboard.press("ArrowDown");
    const next = await page.evaluate(() => document.activeElement?.getAttribute("data-job-id"));
    expect(next).toBeTruthy();
    expect(next).not.toBe(focused);

    // The shortcut help: focus moves in, Tab stays in, Esc closes and gives focus back.
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await dialog.waitFor();
    const inside = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
    expect(await inside()).toBe(true);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      expect(await inside()).toBe(true);
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // Esc closed only the dialog, not the run.
    expect(page.url()).toContain(`#/runs/${focused}`);

    // A confirm dialog the same way.
    await page.getByTestId("bulk-retry").click();
    const confirm = page.getByRole("dialog");
    await confirm.waitFor();
    expect(await inside()).toBe(true);
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "detached" });
    await page.keyboard.press("Escape");
  });

  it("keeps every column of the table readable at 1024 px with the detail pane open, in both themes", async () => {
    const { page } = rig;
    // A retried run: its detail has an attempts table.
    const retried = await completedRetriedRun();
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      await page
        .locator(`[data-job-id="${retried}"][data-status="completed"]`)
        .click({ timeout: 20_000 });
      await page.getByTestId("run-detail").waitFor();
      const boxes = await page.locator('[role="columnheader"]').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          return {
            left: r.left,
            right: r.right,
            text: el.textContent?.trim() ?? "",
            width: el.scrollWidth,
          };
        }),
      );
      expect(boxes.map((b) => b.text.replace(/[▲▼\s]/g, ""))).toEqual([
        "Status",
        "Function",
        "ID",
        "User",
        "Progress",
        "Created",
        "Duration",
      ]);
      // No horizontal scrolling in the table.
      const overflow = await page
        .locator('[role="table"][aria-label="Runs"]')
        .evaluate((table) =>
          [table, ...table.querySelectorAll<HTMLElement>(".scroller")].map(
            (el) => el.scrollWidth - el.clientWidth,
          ),
        );
      for (const o of overflow) expect(o).toBeLessThanOrEqual(0);
      // The status badge stays inside its cell.
      const gap = await page
        .locator("[data-job-id]")
        .first()
        .evaluate((row) => {
          const badge = row.querySelector(".status")!.getBoundingClientRect();
          return row.children[1]!.getBoundingClientRect().left - badge.right;
        });
      expect(gap).toBeGreaterThanOrEqual(0);
      for (let i = 1; i < boxes.length; i++)
        expect(boxes[i]!.left).toBeGreaterThanOrEqual(boxes[i - 1]!.right);
      // Each header's text fits its cell.
      for (const b of boxes) expect(b.width).toBeLessThanOrEqual(Math.ceil(b.right - b.left) + 1);
      // The detail pane's attempts table fits the pane (no column cut off on the right).
      const fit = await page.getByTestId("attempts").evaluate((table) => {
        const pane = table.closest('[data-testid="run-detail"]')!.getBoundingClientRect();
        return pane.right - table.getBoundingClientRect().right;
      });
      expect(fit).toBeGreaterThanOrEqual(0);
      await rig.screenshot("runs-1024.png");
      await page.getByTestId("theme-toggle").click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
      await rig.screenshot("runs-1024-dark.png");
      await page.getByTestId("theme-toggle").click();
      await page.keyboard.press("Escape");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});

describe("Runs view: recovery after an outage", () => {
  it("says it is reconnecting, disables actions, then clears and shows the run created meanwhile", async () => {
    const { page, t } = rig;
    const port = Number(new URL(t.url).port);
    if (restarted) throw new Error("the outage test runs once per rig");
    const { data: run } = await t.service.jobs.submit("process-data", { items: [1] });
    await page.locator(`[data-job-id="${run!.id}"]`).waitFor({ timeout: 10_000 });
    await t.stack.stop();
    await page.getByTestId("offline-banner").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("filter-status").isDisabled()).toBe(true);
    expect(await page.getByTestId("bulk-retry").isDisabled()).toBe(true);
    await rig.screenshot("runs-offline.png");

    // Another instance (or app) writes to the database while this server is down.
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    let id: string;
    try {
      const res = await client.query<{ id: string }>(
        `INSERT INTO jobs.queue (namespace, job_name, status, payload, created_at, started_at, completed_at, result)
         VALUES ('default', 'process-data', 'completed', '{"items": [9]}', now(), now(), now(), '{"processed": 1}')
         RETURNING id`,
      );
      id = res.rows[0]!.id;
    } finally {
      await client.end();
    }

    // Started again in its place and left running, so the tests after this one have a server.
    restarted = await startLocalStack({
      config: { ...t.config, port },
      logger: silentLogger,
      rendererDir: RENDERER_DIR,
    });
    await page.getByTestId("offline-banner").waitFor({ state: "detached", timeout: 20_000 });
    await page.locator(`[data-job-id="${id}"]`).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("filter-status").isDisabled()).toBe(false);
    await page.getByText("● live").waitFor({ timeout: 20_000 });
  });
  it("goes to the IDE with g j from a list of runs, where j alone would select the next run", async () => {
    const { page, t } = rig;
    const { data: run } = await t.service.jobs.submit("process-data", { items: [1] });
    await page.goto(`${t.url}/#/runs`);
    await page.locator(`[data-job-id="${run!.id}"]`).waitFor({ timeout: 10_000 });
    await page.keyboard.press("g");
    await page.keyboard.press("j");
    await page.waitForURL(/#\/jobs/, { timeout: 10_000 });
    await page.goto(`${t.url}/#/runs`);
    await page.locator("[data-job-id]").first().waitFor();
  });
});
