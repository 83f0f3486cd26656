// Replay and effects in the UI: a run's detail shows what the run wrote, each write a link
// (rows to Tables, an uploaded object to the object, submitted jobs to their runs); after its
// file changes, "Replay with current code" opens both runs side by side with the result and
// log diff, and "Replay" (the code the run used) shows the same result.
import { readFile } from "node:fs/promises";
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
  await fluxbaseService.storage
    .from("shared")
    .upload("greeting.txt", "${word} " + name, { contentType: "text/plain", upsert: true });
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
     CREATE POLICY service_all ON app.notes FOR ALL TO service_role USING (true) WITH CHECK (true);
     CREATE POLICY signed_in_read ON app.notes FOR SELECT TO authenticated USING (true);`,
  );
  // A public bucket: the signed-in admin reads its objects (objects are read under RLS).
  const bucket = await fetch(`${rig.t.url}/api/v1/storage/buckets`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${rig.t.stack.keys.serviceKey}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ name: "shared", public: true }),
  });
  expect(bucket.status).toBe(201);
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
      "inserted 3 rows into app.notes, deleted avatars/u1.png, uploaded shared/greeting.txt, submitted 2 jobs",
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

  it("links each effect: the rows in Tables, the uploaded object, the submitted runs", async () => {
    const { page, t } = rig;
    const { data: job, error } = await t.service.jobs.submit("greeter", { name: "Bo" });
    if (error) throw error;
    await page.goto(`${t.url}/#/runs/${job!.id}`);
    await page.locator('[data-testid="run-detail"][data-status="completed"]').waitFor({
      timeout: 30_000,
    });
    const effects = page.getByTestId("run-effects");
    await effects.getByTestId("effect-job-link").first().waitFor({ timeout: 10_000 });
    const { data: ledger } = await t.service.jobs.debug.effects(job!.id);
    // "hello Bo" or "howdy Bo": whichever code the file holds now.
    const { data: done } = await t.service.jobs.get(job!.id);
    const greeting = (done!.result as { greeting: string }).greeting;
    const word = greeting.split(" ")[0]!;
    const inserted = ledger!.effects.find((e) => e.operation === "insert")!;
    const submitted = ledger!.effects.filter((e) => e.kind === "job").map((e) => e.keys[0]!.id);
    // A removed object leads nowhere: it is gone.
    expect(await effects.getByTestId("effect-object-link").count()).toBe(1);

    // The uploaded object: saved as the signed-in admin.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      effects.getByTestId("effect-object-link").click(),
    ]);
    expect(download.suggestedFilename()).toBe("greeting.txt");
    const saved = await download.path();
    expect((await readFile(saved!, "utf8")).trim()).toBe(greeting);

    // A submitted job: its run.
    await effects.getByTestId("effect-job-link").first().click();
    await page.waitForURL(new RegExp(`#/runs/${submitted[0]}$`));
    await page.goBack();

    // The rows: the Tables view open on app.notes, narrowed to the three inserted keys.
    await effects.getByTestId("effect-table-link").click();
    await page.waitForURL(/#\/tables\?table=app\.notes&keys=/);
    const rows = page.locator('[data-testid="table-rows"][data-table="app.notes"]');
    await rows.getByTestId("table-row").nth(2).waitFor({ timeout: 10_000 });
    expect(await rows.getByTestId("table-row").count()).toBe(3);
    const ids = inserted.keys.map((k) => String(k.id));
    for (const [i, row] of (await rows.getByTestId("table-row").all()).entries()) {
      const text = (await row.textContent()) ?? "";
      expect(text).toContain(ids[i]!);
      expect(text).toContain(`${word} ${i + 1}`);
    }
    await rig.screenshot("table-rows.png");
  });
});
