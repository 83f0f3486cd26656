// The Job IDE: open the example from the tree, edit it with the keyboard, save with Ctrl+S,
// run it from the Run panel and watch the progress reach 100 % and the edited result appear.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

async function functionVersion(name: string): Promise<number> {
  const { data } = await rig.t.service.admin.jobs.listFunctions();
  return data?.find((f) => f.name === name)?.version ?? 0;
}

describe("Job IDE", () => {
  it("edits, saves and runs process-data, showing progress and the edited result", async () => {
    const { page, t } = rig;
    await page.keyboard.press("g");
    await page.keyboard.press("j");
    await page.waitForURL(/#\/jobs/);
    await page.getByTestId("file-process-data.ts").click();
    const editor = page.getByTestId("code-editor");
    await editor
      .locator(".view-lines")
      .getByText("processed: items.length")
      .waitFor({ timeout: 20_000 });
    const before = await functionVersion("process-data");
    expect(before).toBeGreaterThan(0);

    // Real typing: to the end of the file, up to the `return` line, before ` };`.
    await editor.locator(".view-lines").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("End");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.type(", edited: true");
    await page.keyboard.press("Escape"); // any suggestion widget
    await page.keyboard.press("Home"); // scrolls the editor back to column 1 for the picture
    await page.getByTestId("dirty").waitFor();
    await page.keyboard.press("Control+s");
    await page.getByTestId("dirty").waitFor({ state: "detached", timeout: 10_000 });
    const onDisk = await readFile(path.join(t.jobsDir, "process-data.ts"), "utf8");
    expect(onDisk).toContain("return { success: true, processed: items.length, edited: true };");
    // The watcher reloads the function; run once the new version is live.
    await waitFor(
      async () => ((await functionVersion("process-data")) > before ? true : undefined),
      {
        timeoutMs: 15_000,
        what: "the edited process-data to load",
      },
    );

    await page.getByTestId("run-payload").fill('{"items":[1,2]}');
    await page.getByTestId("run-submit").click();
    const panel = page.getByTestId("run-panel");
    await panel.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("run-progress").getAttribute("aria-valuenow")).toBe("100");
    const result = page.getByTestId("run-result");
    await result.getByText(/"edited": true/).waitFor();
    expect(await result.textContent()).toMatch(/"processed": 2/);
    await panel.getByTestId("run-logs").getByText("Running for user").waitFor({ timeout: 10_000 });
    await rig.screenshot("ide.png");
  });
});
