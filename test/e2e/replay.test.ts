// Replay and effects in the UI: a run's detail shows what the run wrote; after its file
// changes, "Replay with current code" opens both runs side by side with the result and log
// diff, and "Replay" (the code the run used) shows the same result.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerQuery } from "../helpers/app-tables.ts";
import { waitFor } from "../helpers/stack.ts";
import { startUiRig, type UiRig } from "./harness.ts";

const greeter = (word: string) => `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { name } = job.getJobContext().payload;
  console.log("${word}, " + name);
  job.reportProgress(50, "${word}");
  const { error } = await fluxbaseService
    .from("app.notes")
    .insert([{ body: "${word} 1" }, { body: "${word} 2" }, { body: "${word} 3" }]);
  if (error) throw new Error(error.message);
  await fluxbaseService.storage.from("avatars").remove(["u1.png"]);
  await fluxbaseService.jobs.submit("noop", { from: "greeter" });
  await fluxbaseService.jobs.submit("noop", { from: "greeter" });
  return { greeting: "${word} " + name, at: "notes" };
}
`;

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
  await ownerQuery(
    rig.t.database.url,
    `CREATE TABLE app.notes (id serial PRIMARY KEY, body text NOT NULL);
     ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
     CREATE POLICY service_all ON app.notes FOR ALL TO service_role USING (true) WITH CHECK (true);`,
  );
  await rig.t.writeJob("greeter.ts", greeter("hello"));
  await rig.t.writeJob("noop.ts", "export async function handler() { return {}; }");
  await waitFor(
    async () => {
      const { data } = await rig.t.service.admin.jobs.listFunctions();
      return data?.some((f) => f.name === "greeter") && data.some((f) => f.name === "noop")
        ? true
        : undefined;
    },
    { what: "the fixtures to load" },
  );
  await rig.signIn();
});
afterAll(async () => {
  await rig?.stop();
});

async function version(): Promise<number> {
  const { data } = await rig.t.service.admin.jobs.getFunction("default", "greeter");
  return data?.version ?? 0;
}

async function bothThemes(name: string): Promise<void> {
  const { page } = rig;
  await rig.screenshot(`${name}.png`);
  await page.getByTestId("theme-toggle").click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  await rig.screenshot(`${name}-dark.png`);
  await page.getByTestId("theme-toggle").click();
  await page.waitForFunction(() => document.documentElement.dataset.theme !== "dark");
}

describe("replay and effects", () => {
  it("shows a run's effects, then replays it with changed code and with its own code", async () => {
    const { page, t } = rig;
    await t.service.storage.from("avatars").upload("u1.png", "png");
    const { data: job, error } = await t.service.jobs.submit("greeter", { name: "Ann" });
    if (error) throw error;
    await page.goto(`${t.url}/#/runs/${job!.id}`);
    await page.locator('[data-testid="run-detail"][data-status="completed"]').waitFor({
      timeout: 30_000,
    });
    const summary = page.getByTestId("effects-summary");
    await summary.getByText("submitted 2 jobs").waitFor({ timeout: 10_000 });
    expect(await summary.textContent()).toContain(
      "inserted 3 rows into app.notes, deleted avatars/u1.png, submitted 2 jobs",
    );
    await page.getByTestId("run-effects").scrollIntoViewIfNeeded();
    await bothThemes("run-effects");

    const before = await version();
    await t.writeJob("greeter.ts", greeter("howdy"));
    await waitFor(async () => ((await version()) > before ? true : undefined), {
      what: "the changed file to load",
    });

    await page.getByTestId("action-replay-current").click();
    await page.waitForURL(/#\/compare\//);
    const result = page.locator('[data-testid="diff-result"][data-changed="true"]');
    await result.getByText('"greeting": "howdy Ann"').waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain('"greeting": "hello Ann"');
    const logs = page.locator('[data-testid="diff-logs"][data-changed="true"]');
    await logs.getByText("howdy, Ann").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("compare-right").textContent()).toContain("replay");
    await bothThemes("replay-diff");

    // Replay with the code the first run used: the same result as then.
    await page.goto(`${t.url}/#/runs/${job!.id}`);
    await page.getByTestId("action-replay").click();
    await page.waitForURL(/#\/compare\//);
    await page
      .locator('[data-testid="diff-result"][data-changed="false"]')
      .getByText('"greeting": "hello Ann"')
      .first()
      .waitFor({ timeout: 30_000 });
    await page
      .locator('[data-testid="compare-right"]')
      .getByText(/completed/)
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("compare-right").textContent()).toContain(`v${before}`);
  });
});
