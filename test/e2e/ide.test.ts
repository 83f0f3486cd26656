// The Job IDE: open the example from the tree, edit it with the keyboard, save with Ctrl+S,
// run it from the Run panel and watch the progress reach 100 % and the edited result appear.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;
/** Every console message of the page, for CSP violations. */
const consoleLines: string[] = [];

/** Files the tests below open; written before sign-in so the tree lists them. */
const FIXTURES: Record<string, string> = {
  "typing.ts": "export async function handler() {\n  return { ok: true };\n}\n",
  "unsaved.ts": "export async function handler() {\n  return { ok: true };\n}\n",
  "type-error.ts":
    'export async function handler() {\n  const count: number = "three";\n  return { count };\n}\n',
  "draft.ts": "export async function handler() {\n  const version = 1;\n  return { version };\n}\n",
  "broken.ts": "export async function handler() {\n  const ok = true;\n  return { ok };\n}\n",
  "every20.ts":
    "/**\n * Every 20 seconds\n * @fluxbase:schedule */20 * * * * *\n */\nexport async function handler() {\n  return { ok: true };\n}\n",
  "reports/nightly.ts": "export async function handler() {\n  return { ok: true };\n}\n",
};

beforeAll(async () => {
  rig = await startUiRig();
  for (const [name, source] of Object.entries(FIXTURES)) {
    await mkdir(path.dirname(path.join(rig.t.jobsDir, name)), { recursive: true });
    await writeFile(path.join(rig.t.jobsDir, name), source);
  }
  watchConsole();
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

async function functionVersion(name: string): Promise<number> {
  const { data } = await rig.t.service.admin.jobs.listFunctions();
  return data?.find((f) => f.name === name)?.version ?? 0;
}

function watchConsole(): void {
  rig.page.on("console", (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
}

/** Goes to the IDE unless the page is there already. */
async function openIde(): Promise<void> {
  const { page } = rig;
  if (!page.url().includes("#/jobs")) {
    await page.goto(`${rig.t.url}/#/jobs`);
  }
}

/** Types a line into `file`'s tab without saving it. */
async function typeUnsavedLine(file: string, line: string): Promise<void> {
  const { page } = rig;
  await openFile(file, "return { ok: true }");
  await page
    .getByTestId("code-editor")
    .locator(".view-lines")
    .getByText("return { ok: true }")
    .click();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type(line);
  await page.keyboard.press("Escape");
  // The editor draws typed text on its next frame.
  await page
    .getByTestId("code-editor")
    .locator(".view-lines")
    .getByText(line)
    .waitFor({ timeout: 10_000 });
}

async function openFile(file: string, waitForText: string | RegExp): Promise<void> {
  const { page } = rig;
  await openIde();
  await page.getByTestId(`file-${file}`).click();
  await page
    .getByTestId("code-editor")
    .locator(".view-lines")
    .getByText(waitForText)
    .first()
    .waitFor({ timeout: 20_000 });
}

describe("Job IDE", () => {
  it("edits, saves and runs process-data, showing progress and the edited result", async () => {
    const { page, t } = rig;
    // From the Runs view (focus outside any editor), where g j is the IDE's shortcut.
    await page.goto(`${t.url}/#/runs`);
    await page.getByTestId("runs-table").waitFor({ timeout: 20_000 });
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
    await page.getByTestId("problems-status").getByText("No problems").waitFor({ timeout: 20_000 });
    await rig.screenshot("ide.png");
  });
});

describe("Job IDE editing", () => {
  it("types shortcut letters (t, g r, ?) into the editor without toggling the theme, navigating or opening help", async () => {
    const { page } = rig;
    await openFile("typing.ts", "return { ok: true }");
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    await typeUnsavedLine("typing.ts", "// t job.reportProgress a?.b");
    expect(page.url()).toMatch(/#\/jobs/);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect(await page.getByText("Keyboard shortcuts").count()).toBe(0);
  });

  it("underlines a type error, lists it in Problems, and the page reports no CSP violation", async () => {
    const { page } = rig;
    await openFile("type-error.ts", 'const count: number = "three"');
    const editor = page.getByTestId("code-editor");
    await editor.locator(".squiggly-error").first().waitFor({ timeout: 30_000 });
    const problems = page.getByTestId("problems");
    await problems
      .getByText(/line 2.*not assignable to type 'number'/)
      .waitFor({ timeout: 10_000 });
    // The squiggle is drawn with a data: image the page's policy must allow.
    const violations = consoleLines.filter((l) => /Content Security Policy|Refused to/i.test(l));
    expect(violations).toEqual([]);
  });

  it("opens the sample jobs with no problems listed", async () => {
    const { page } = rig;
    // An open jobs.d.ts adds nothing to the jobs' programs (no duplicate declarations).
    await openFile("jobs.d.ts", "declare global");
    for (const [file, text] of [
      ["process-data.ts", "processItem"],
      ["long-import.ts", "batches"],
      ["flaky-job.ts", "succeedOn"],
    ] as const) {
      await openFile(file, text);
      // The type checker's first answer can take a while on a cold, busy machine.
      const status = page.getByTestId("problems-status");
      await waitFor(async () => ((await status.textContent()) !== "Checking…" ? true : undefined), {
        timeoutMs: 90_000,
        what: `the checks of ${file}`,
      });
      const listed = (await page.getByTestId("problems").count())
        ? await page.getByTestId("problems").innerText()
        : "";
      expect({ file, status: await status.textContent(), listed }).toEqual({
        file,
        status: "No problems",
        listed: "",
      });
    }
  });

  it("keeps each tab's unsaved text across file switches, asks before discarding, and warns before unload", async () => {
    // A page of its own: no other test's unsaved tab may hold the page from unloading.
    const page = await rig.freshPage();
    watchConsole();
    await rig.signInWithPassword();
    await typeUnsavedLine("unsaved.ts", "// t job.reportProgress a?.b");
    await openFile("process-data.ts", "processItem");
    await page.getByTestId("tab-unsaved.ts").getByTestId("tab-dirty").waitFor();
    await page.getByTestId("tab-unsaved.ts").getByRole("tab").click();
    await page
      .getByTestId("code-editor")
      .locator(".view-lines")
      .getByText("// t job.reportProgress a?.b")
      .waitFor();
    await page.getByTestId("file-process-data.ts").click();
    await page.getByTestId("file-unsaved.ts").click();
    await page
      .getByTestId("code-editor")
      .locator(".view-lines")
      .getByText("// t job.reportProgress a?.b")
      .waitFor({ timeout: 10_000 });
    // Reloading or closing the window now would lose it: the page asks.
    const asks = await page.evaluate(() => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });
    expect(asks).toBe(true);
    // Closing the tab asks too; "Keep editing" keeps it, "Discard" drops the text.
    await page.getByTestId("tab-close-unsaved.ts").click();
    await page.getByTestId("discard-confirm").waitFor();
    await page.getByTestId("discard-cancel").click();
    expect(await page.getByTestId("tab-unsaved.ts").count()).toBe(1);
    await page.getByTestId("tab-close-unsaved.ts").click();
    await page.getByTestId("discard-confirm-discard").click();
    await page.getByTestId("tab-unsaved.ts").waitFor({ state: "detached" });
    const disk = await readFile(path.join(rig.t.jobsDir, "unsaved.ts"), "utf8");
    expect(disk).not.toContain("t g r");
    const clean = await page.evaluate(() => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    });
    expect(clean).toBe(false);
  });

  it("runs the unsaved edit on screen with Ctrl+Enter (saving it first)", async () => {
    const { page } = rig;
    await openFile("draft.ts", "const version = 1;");
    await page
      .getByTestId("code-editor")
      .locator(".view-lines")
      .getByText("const version = 1;")
      .click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("2;");
    await page.getByTestId("dirty").waitFor();
    await page.keyboard.press("Control+Enter");
    const panel = page.getByTestId("run-panel");
    await panel.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    await page
      .getByTestId("run-result")
      .getByText(/"version": 2/)
      .waitFor();
    expect(await readFile(path.join(rig.t.jobsDir, "draft.ts"), "utf8")).toContain(
      "const version = 2;",
    );
  });

  it("refuses to run code that does not build, pointing at the line, and lists the build error", async () => {
    const { page } = rig;
    await openFile("broken.ts", "const ok = true;");
    await page
      .getByTestId("code-editor")
      .locator(".view-lines")
      .getByText("const ok = true;")
      .click();
    await page.keyboard.press("End");
    await page.keyboard.type(" const x = {;");
    await page.keyboard.press("Escape");
    await page
      .getByTestId("problems")
      .getByText(/line 2\s*build/)
      .waitFor({ timeout: 20_000 });
    const jobsBefore =
      (await rig.t.service.admin.jobs.listJobs({ job_name: "broken" })).data?.length ?? 0;
    await page.getByTestId("run-submit").click();
    const refused = page.getByTestId("run-refused");
    await refused.waitFor({ timeout: 20_000 });
    expect(await refused.textContent()).toMatch(/broken\.ts:2:/);
    await refused.getByText("Go to line 2").waitFor();
    await rig.screenshot("ide-build-error.png");
    // Saved anyway, it still does not run: the previous good version is not run silently.
    await page.keyboard.press("Control+s");
    await page.getByTestId("dirty").waitFor({ state: "detached", timeout: 10_000 });
    await page.getByTestId("run-submit").click();
    await page
      .getByTestId("run-refused")
      .getByText(/broken\.ts:2:/)
      .waitFor({ timeout: 20_000 });
    expect(
      (await rig.t.service.admin.jobs.listJobs({ job_name: "broken" })).data?.length ?? 0,
    ).toBe(jobsBefore);
  });

  it("flags a */ inside a block-comment annotation on its line", async () => {
    const { page } = rig;
    await openFile("every20.ts", "Every 20 seconds");
    await page
      .getByTestId("problems")
      .getByText(/line 3.*ends the block comment/)
      .waitFor({ timeout: 20_000 });
  });

  it("says why a nested file is not a job, in the tree and the Run panel", async () => {
    const { page } = rig;
    await openIde();
    await page.getByTestId("not-job-reports/nightly.ts").waitFor();
    await openFile("reports/nightly.ts", "return { ok: true }");
    const note = page.getByTestId("run-note");
    expect(await note.textContent()).toMatch(/reports\/index\.ts/);
    expect(await page.getByTestId("run-submit").isDisabled()).toBe(true);
  });

  it("shows every attempt of a retried run in a scrolling log box", async () => {
    const { page } = rig;
    await openFile("flaky-job.ts", "succeedOn");
    await page.getByTestId("run-payload").fill('{"succeed_on_attempt":2}');
    await page.getByTestId("run-submit").click();
    const panel = page.getByTestId("run-panel");
    await panel.getByTestId("run-status").getByText("completed").waitFor({ timeout: 30_000 });
    const logs = page.getByTestId("run-logs");
    await logs.getByText("Attempt 2").first().waitFor({ timeout: 10_000 });
    const text = await logs.textContent();
    expect(text).toContain("Attempt 1");
    expect(text).toMatch(/Attempt 1 failed/);
    expect(await page.getByTestId("run-attempt").textContent()).toMatch(/attempt 2 of 3/);
    // The box scrolls, and follows the newest line.
    const box = await logs.evaluate((el) => ({
      overflow: getComputedStyle(el).overflowY,
      gap: el.scrollHeight - el.scrollTop - el.clientHeight,
    }));
    expect(box.overflow).toBe("auto");
    expect(box.gap).toBeLessThan(24);
  });

  it("follows the theme toggle in the editor (pictures at 1024 px, light and dark)", async () => {
    const { page } = rig;
    await page.setViewportSize({ width: 1024, height: 768 });
    await openFile("type-error.ts", 'const count: number = "three"');
    await page.getByTestId("code-editor").locator(".squiggly-error").first().waitFor();
    await rig.screenshot("ide-1024-light.png");
    const monaco = page.locator(".monaco-editor").first();
    expect(await monaco.getAttribute("class")).not.toMatch(/vs-dark/);
    await page.getByTestId("theme-toggle").click();
    await page.waitForFunction(() =>
      document.querySelector(".monaco-editor")?.classList.contains("vs-dark"),
    );
    await rig.screenshot("ide-1024-dark.png");
    await page.getByTestId("theme-toggle").click();
    await page.waitForFunction(
      () => !document.querySelector(".monaco-editor")?.classList.contains("vs-dark"),
    );
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
