// The debugger in the IDE: a breakpoint set in the gutter, Debug, the stop before the
// handler's first line, continue to the breakpoint and see a local variable's value there,
// step over, evaluate, continue, and the run's result. Pictures of the paused debugger in
// both themes.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

// Type-only lines first: the breakpoint's line is a TypeScript line, not the JavaScript's.
const SOURCE = `interface Order {
  id: number;
  items: { sku: string; qty: number }[];
}

export async function handler(req: Request) {
  const order: Order = await req.json();
  let count = 0;
  for (const item of order.items) {
    count += item.qty;
  }
  const summary = { id: order.id, count };
  return summary;
}
`;
const ENTRY_LINE = 7;
const SUMMARY_LINE = 12;

// A job bundled with a helper file: the helper comes first in the bundle, so only the source
// map puts the breakpoint on this file's own line.
const HELPER = `// Prices of an order line.
export interface Line {
  qty: number;
  price: number;
}

export function lineTotal(line: Line): number {
  return line.qty * line.price;
}
`;
const CART = `import { lineTotal, type Line } from "./_shared/prices.ts";

export async function handler(req: Request) {
  const { lines }: { lines: Line[] } = await req.json();
  let sum = 0;
  for (const line of lines) {
    sum += lineTotal(line);
  }
  return { sum };
}
`;
const CART_LOOP_LINE = 7;

beforeAll(async () => {
  rig = await startUiRig();
  await writeFile(path.join(rig.t.jobsDir, "orders.ts"), SOURCE);
  await mkdir(path.join(rig.t.jobsDir, "_shared"), { recursive: true });
  await writeFile(path.join(rig.t.jobsDir, "_shared", "prices.ts"), HELPER);
  await writeFile(path.join(rig.t.jobsDir, "cart.ts"), CART);
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

describe("IDE debugger", () => {
  it("stops on a gutter breakpoint with the local variables, steps, evaluates and finishes", async () => {
    const { page } = rig;
    await page.goto(`${rig.t.url}/#/jobs`);
    await page.getByTestId("file-orders.ts").click();
    const editor = page.getByTestId("code-editor");
    await editor.locator(".view-lines").getByText("const summary").waitFor({ timeout: 20_000 });

    // A breakpoint on the `const summary` line: a click in the gutter, left of its number.
    const number = await editor
      .locator(".line-numbers")
      .getByText(String(SUMMARY_LINE), { exact: true })
      .boundingBox();
    const glyphs = await editor.locator(".glyph-margin").first().boundingBox();
    await page.mouse.click(glyphs!.x + glyphs!.width / 2, number!.y + number!.height / 2);
    await page.waitForFunction(
      (line) =>
        document.querySelector("[data-testid=code-editor]")?.getAttribute("data-breakpoints") ===
        String(line),
      SUMMARY_LINE,
    );
    await editor.locator(".fb-breakpoint").waitFor();
    const panel = page.getByTestId("run-panel");
    await panel.getByTestId("debug-breakpoints").getByText(`line ${SUMMARY_LINE}`).waitFor();

    await page
      .getByTestId("run-payload")
      .fill('{"id": 7, "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 5}]}');
    await page.getByTestId("run-debug").click();

    // Stopped before the handler's first line.
    const status = panel.getByTestId("debug-status");
    await status.getByText(`Paused on line ${ENTRY_LINE} (entry)`).waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      (line) =>
        document.querySelector("[data-testid=code-editor]")?.getAttribute("data-paused-line") ===
        String(line),
      ENTRY_LINE,
    );
    await editor.locator(".fb-paused-line").waitFor();
    expect(await panel.getByTestId("run-status").textContent()).toBe("running");

    // Continue to the breakpoint: `count` is 7 there.
    await panel.getByTestId("debug-continue").click();
    await status
      .getByText(`Paused on line ${SUMMARY_LINE} (breakpoint)`)
      .waitFor({ timeout: 20_000 });
    const variables = panel.getByTestId("debug-variables");
    await variables.locator('[data-name="count"]').getByText("7").waitFor();
    const frames = panel.getByTestId("debug-frames");
    await frames.getByText("handler").waitFor();

    // Expand the order object.
    await variables.locator('[data-name="order"] > button').click();
    await variables.locator('[data-name="order"] [data-name="items"]').waitFor();

    // Evaluate in the paused frame.
    await panel.getByTestId("debug-evaluate").fill("count * 6");
    await panel.getByTestId("debug-evaluate").press("Enter");
    await panel.getByTestId("debug-console").getByText("42").waitFor();
    await rig.screenshot("debugger.png");

    // The same, dark.
    await page.getByTestId("theme-toggle").click();
    await page.waitForFunction(() =>
      document.querySelector(".monaco-editor")?.classList.contains("vs-dark"),
    );
    await rig.screenshot("debugger-dark.png");
    await page.getByTestId("theme-toggle").click();

    // Step over with the keyboard (F10, as in VS Code): the next line, where `summary` has
    // its value.
    await page.keyboard.press("F10");
    await status
      .getByText(`Paused on line ${SUMMARY_LINE + 1} (step)`)
      .waitFor({ timeout: 20_000 });
    await variables.locator('[data-name="summary"]').getByText("{id: 7, count: 7}").waitFor();

    await panel.getByTestId("debug-continue").click();
    await panel.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    const result = await panel.getByTestId("run-result").textContent();
    expect(JSON.parse(result!)).toEqual({ id: 7, count: 7 });
    await status.getByText(/Session ended/).waitFor({ timeout: 20_000 });
  });

  it("in a job bundled with a helper file, stops on the gutter line of the job's own file", async () => {
    const { page } = rig;
    await page.goto(`${rig.t.url}/#/runs`);
    await page.goto(`${rig.t.url}/#/jobs`);
    await page.getByTestId("file-cart.ts").click();
    const editor = page.getByTestId("code-editor");
    await editor.locator(".view-lines").getByText("sum += lineTotal").waitFor({ timeout: 20_000 });
    const number = await editor
      .locator(".line-numbers")
      .getByText(String(CART_LOOP_LINE), { exact: true })
      .boundingBox();
    const glyphs = await editor.locator(".glyph-margin").first().boundingBox();
    await page.mouse.click(glyphs!.x + glyphs!.width / 2, number!.y + number!.height / 2);
    const panel = page.getByTestId("run-panel");
    await panel.getByTestId("debug-breakpoints").getByText(`line ${CART_LOOP_LINE}`).waitFor();
    // Only the second line stops: the condition is checked on the bundled code.
    await panel.getByTestId("debug-condition").fill("line.qty > 2");
    await panel.getByTestId("debug-condition").press("Enter");
    await page
      .getByTestId("run-payload")
      .fill('{"lines": [{"qty": 1, "price": 3}, {"qty": 4, "price": 2}]}');
    await page.getByTestId("run-debug").click();

    const status = panel.getByTestId("debug-status");
    await status.getByText(/Paused on line \d+ \(entry\)/).waitFor({ timeout: 30_000 });
    await panel.getByTestId("debug-continue").click();
    await status
      .getByText(`Paused on line ${CART_LOOP_LINE} (breakpoint)`)
      .waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      (line) =>
        document.querySelector("[data-testid=code-editor]")?.getAttribute("data-paused-line") ===
        String(line),
      CART_LOOP_LINE,
    );
    const variables = panel.getByTestId("debug-variables");
    await variables.locator('[data-name="sum"]').getByText("3").waitFor();

    // Into the helper: the stop names its file and line.
    await panel.getByTestId("debug-step-into").click();
    await status.getByText("Paused in _shared/prices.ts:8 (step)").waitFor({ timeout: 20_000 });
    await panel.getByTestId("debug-frames").getByText("_shared/prices.ts:8").waitFor();

    await panel.getByTestId("debug-continue").click();
    await panel.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    expect(JSON.parse((await panel.getByTestId("run-result").textContent())!)).toEqual({ sum: 11 });
  });
});
