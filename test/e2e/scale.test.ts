// 10,000 jobs: the Runs view loads them in pages, keeps only the visible rows in the DOM and
// still follows live updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
  // Finished rows straight into the queue (nothing for the workers to claim).
  await rig.t.stack.db.query(
    `INSERT INTO jobs.queue (namespace, job_name, status, created_at, started_at, completed_at, progress)
     SELECT 'default', 'bulk-' || (i % 7), 'completed', now() - i * interval '1 second',
            now() - i * interval '1 second', now() - i * interval '1 second' + interval '200 ms', '{"percent": 100}'
     FROM generate_series(1, 10000) AS i`,
  );
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

describe("Runs view with 10,000 jobs", () => {
  it("shows all of them with a bounded DOM and stays live", async () => {
    const { page, t } = rig;
    await page.waitForFunction(
      () => document.querySelector('[data-testid="runs-count"]')?.textContent?.includes("10,000"),
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(await page.locator("[data-job-id]").count()).toBeLessThan(80);
    const started = Date.now();
    await page.getByTestId("runs-table").evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.locator("[data-job-id]").first().waitFor();
    expect(Date.now() - started).toBeLessThan(2000);
    const { data: job } = await t.service.jobs.submit("process-data", { items: [1] });
    await page.getByTestId("runs-table").evaluate((el) => (el.scrollTop = 0));
    await page
      .locator(`[data-job-id="${job!.id}"][data-status="completed"]`)
      .waitFor({ timeout: 30_000 });
  });
});
