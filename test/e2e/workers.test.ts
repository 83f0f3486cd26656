// The Workers view lists the stack's workers with a ticking heartbeat, queue counts and the
// throughput chart.
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

describe("Workers view", () => {
  it("lists the workers and the queue counts", async () => {
    const { page, t } = rig;
    await page.keyboard.press("g");
    await page.keyboard.press("w");
    await page.waitForURL(/#\/workers/);
    const rows = page.getByTestId("worker-row");
    await rows.nth(1).waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(t.stack.pool.workerIds().length);
    for (let i = 0; i < 6; i++) await t.service.jobs.submit("process-data", { items: [1, 2] });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="queue-counts"]')?.textContent?.includes("completed6"),
      undefined,
      { timeout: 30_000 },
    );
    // A few samples after the burst, so the chart shows it rise and fall.
    await page.waitForFunction(
      () =>
        (document
          .querySelector('[data-testid="throughput"] path.completed')
          ?.getAttribute("d")
          ?.split("L").length ?? 0) > 5,
      undefined,
      { timeout: 30_000 },
    );
    await rig.screenshot("workers.png");
  });
});
