// The Runs view: a submitted job reaches completed live; a long job is cancelled from the
// detail pane; the empty state's example button submits process-data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

describe("Runs view", () => {
  it("teaches with an empty state whose button runs the example job live to completion", async () => {
    const { page } = rig;
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
    await page.getByRole("button", { name: "Close (Esc)" }).click();
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
