// The guide's job examples against the data API, in real Deno jobs: `fluxbase` acts as the
// submitting user under RLS, `fluxbaseService` as service_role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient, Job } from "../../src-sdk/index.ts";
import { createAppTables, ownerQuery, userIdOf } from "../helpers/app-tables.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "process-user-data.ts": `/**
 * Process user data
 * @fluxbase:timeout 300
 * @fluxbase:description Processes user-specific data items
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { items } = context.payload;
  for (let i = 0; i < items.length; i++) {
    const percent = Math.floor(((i + 1) / items.length) * 100);
    job.reportProgress(percent, \`Processed \${i + 1}/\${items.length}\`);
  }
  // Query user's own data (RLS applies)
  const { data } = await fluxbase.from("app.my_table").select("*").eq("user_id", context.user.id);
  const { data: visible } = await fluxbase.from("app.my_table").select("user_id");
  const { data: all } = await fluxbaseService.from("app.my_table").select("user_id");
  const owners = (rows) => [...new Set(rows.map((r) => r.user_id))].sort();
  return { success: true, processed: items.length, mine: data.length, visible: owners(visible), all: owners(all) };
}`,
  "admin-report.ts": `/**
 * Generate system-wide report
 * @fluxbase:require-role admin
 * @fluxbase:timeout 600
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(25, "Fetching data...");
  // Use service client to access all data (bypasses RLS)
  const { data } = await fluxbaseService.from("app.system_data").select("*");
  const report = { total: data.reduce((sum, row) => sum + row.amount, 0), users: new Set(data.map((r) => r.user_id)).size };
  job.reportProgress(75, "Saving results...");
  const { error } = await fluxbaseService.from("app.reports").insert({ data: report, generated_at: new Date().toISOString() });
  if (error) throw new Error(error.message);
  job.reportProgress(100, "Complete");
  return { report, recordCount: data?.length };
}`,
  "daily-cleanup.ts": `/**
 * Cleanup old data daily at 2 AM
 * @fluxbase:schedule 0 2 * * *
 * @fluxbase:require-role admin
 * @fluxbase:timeout 1800
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { retention_days = 30 } = context.payload;
  job.reportProgress(10, "Starting cleanup...");
  const cutoffDate = new Date();
  cutoffDate.setDate(cutoffDate.getDate() - retention_days);
  // Use service role to access all records across users
  const { data: deleted } = await fluxbaseService
    .from("app.old_records")
    .delete()
    .lt("created_at", cutoffDate.toISOString())
    .select();
  job.reportProgress(100, "Cleanup complete");
  return { deleted: deleted?.length ?? 0, notes: deleted.map((r) => r.note).sort() };
}`,
  "batch-import.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { items, batch_size = 2 } = context.payload;
  let processed = 0;
  for (let i = 0; i < items.length; i += batch_size) {
    if (job.checkCancellation()) return { cancelled: true, processed };
    const batch = items.slice(i, i + batch_size);
    // Insert batch - RLS ensures user can only insert to their tables
    const { error } = await fluxbase.from("app.imports").insert(batch.map((item) => ({ ...item, user_id: context.user?.id })));
    if (error) throw new Error(\`import failed: \${error.message}\`);
    processed += batch.length;
    job.reportProgress(10 + Math.floor((processed / items.length) * 90), \`Imported \${processed}/\${items.length} records\`);
  }
  return { success: true, imported: processed };
}`,
  "store-results.ts": `/**
 * @fluxbase:max-retries 0
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { data, as_user } = context.payload;
  // Store with user's RLS context
  const { error } = await fluxbase.from("app.api_results").insert({
    data,
    user_id: as_user ?? context.user?.id,
    fetched_at: new Date().toISOString(),
  });
  if (error) throw new Error(\`\${error.status}: \${error.message}\`);
  return { success: true, records: data.length };
}`,
};

let t: TestStack;
let ann: FluxbaseClient;
let bob: FluxbaseClient;
let annId: string;
let bobId: string;

/** Submits and waits for the job to finish (completed or failed). */
async function runJob(
  client: FluxbaseClient,
  name: string,
  payload: Record<string, unknown>,
): Promise<Job> {
  const { data: job, error } = await client.jobs.submit(name, payload);
  if (error) throw error;
  return waitFor(
    async () => {
      const { data } = await client.jobs.get(job!.id);
      return data && ["completed", "failed"].includes(data.status) ? data : undefined;
    },
    { what: `job ${name} to finish` },
  );
}

beforeAll(async () => {
  t = await startTestStack({ jobs });
  await createAppTables(t.database.url);
  ann = await t.signUp("ann@example.com");
  bob = await t.signUp("bob@example.com");
  [annId, bobId] = [await userIdOf(ann), await userIdOf(bob)];
});
afterAll(async () => {
  await t?.stop();
});

describe("the guide's jobs against the data API", () => {
  it("user data processing: fluxbase sees the user's rows, fluxbaseService all", async () => {
    await ann.from("app.my_table").insert([{ value: "a1" }, { value: "a2" }]);
    await bob.from("app.my_table").insert({ value: "b1" });
    const job = await runJob(ann, "process-user-data", { items: [1, 2, 3] });
    expect(job.error_message ?? null).toBeNull();
    expect(job.result).toEqual({
      success: true,
      processed: 3,
      mine: 2,
      visible: [annId],
      all: [annId, bobId].sort(),
    });
  });

  it("admin report: reads every user's data and saves a report with the service client", async () => {
    await ownerQuery(
      t.database.url,
      "INSERT INTO app.system_data (user_id, amount) VALUES ($1, 5), ($1, 7), ($2, 30)",
      [annId, bobId],
    );
    const job = await runJob(t.service, "admin-report", {});
    expect(job.result).toEqual({ report: { total: 42, users: 2 }, recordCount: 3 });
    const reports = await ownerQuery(t.database.url, "SELECT data FROM app.reports");
    expect(reports).toEqual([{ data: { total: 42, users: 2 } }]);
    expect((await ann.from("app.reports").select()).data).toEqual([]);
  });

  it("daily cleanup: deletes old records across users and returns them", async () => {
    await ownerQuery(
      t.database.url,
      `INSERT INTO app.old_records (user_id, note, created_at) VALUES
         ($1, 'ann old', now() - interval '40 days'), ($2, 'bob old', now() - interval '31 days'),
         ($1, 'ann recent', now() - interval '29 days'), ($2, 'bob new', now())`,
      [annId, bobId],
    );
    const job = await runJob(t.service, "daily-cleanup", { retention_days: 30 });
    expect(job.result).toEqual({ deleted: 2, notes: ["ann old", "bob old"] });
    const left = await ownerQuery<{ note: string }>(
      t.database.url,
      "SELECT note FROM app.old_records ORDER BY note",
    );
    expect(left.map((r) => r.note)).toEqual(["ann recent", "bob new"]);
  });

  it("batch import: inserts the user's batches under their id", async () => {
    const items = [
      { name: "a", qty: 1 },
      { name: "b", qty: 2 },
      { name: "c", qty: 3 },
    ];
    const job = await runJob(bob, "batch-import", { items });
    expect(job.result).toEqual({ success: true, imported: 3 });
    const rows = await ownerQuery<{ name: string; user_id: string }>(
      t.database.url,
      "SELECT name, user_id FROM app.imports ORDER BY name",
    );
    expect(rows).toEqual(items.map((i) => ({ name: i.name, user_id: bobId })));
    expect((await ann.from("app.imports").select()).data).toEqual([]);
    expect((await bob.from("app.imports").select("name").order("name")).data).toEqual([
      { name: "a" },
      { name: "b" },
      { name: "c" },
    ]);
  });

  it("a job cannot write rows for another user: 403 from RLS, nothing stored", async () => {
    const ok = await runJob(ann, "store-results", { data: [1, 2] });
    expect(ok.result).toEqual({ success: true, records: 2 });
    const forged = await runJob(ann, "store-results", { data: [3], as_user: bobId });
    expect(forged.status).toBe("failed");
    expect(forged.error_message).toMatch(/403: new row violates row-level security policy/);
    const rows = await ownerQuery<{ user_id: string; data: unknown }>(
      t.database.url,
      "SELECT user_id, data FROM app.api_results",
    );
    expect(rows).toEqual([{ user_id: annId, data: [1, 2] }]);
  });
});
