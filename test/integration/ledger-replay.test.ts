// Replay and the ledger, with real PostgreSQL and Deno: what a job wrote as its user under
// RLS is recorded against its run; the same job as a dry run reads its own writes and
// leaves the table as it was; a replay runs the code the old run used, or the current code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient, Job } from "../../src-sdk/index.ts";
import { createAppTables, ownerQuery, userIdOf } from "../helpers/app-tables.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const notesJob = `/**
 * @fluxbase:max-retries 0
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { tag } = job.getJobContext().payload;
  const { data: added, error } = await fluxbase
    .from("app.my_table")
    .insert([{ value: tag + "-1" }, { value: tag + "-2" }, { value: tag + "-3" }])
    .select("id");
  if (error) throw new Error("insert: " + error.message);
  const ids = added.map((r) => r.id);
  const up = await fluxbase.from("app.my_table").update({ score: 7 }).eq("id", ids[0]);
  if (up.error) throw new Error("update: " + up.error.message);
  const del = await fluxbase.from("app.my_table").delete().eq("id", ids[2]);
  if (del.error) throw new Error("delete: " + del.error.message);
  // Reads inside the run see its own writes, dry run or not.
  const { data: mine } = await fluxbase.from("app.my_table").select("value, score").like("value", tag + "-%").order("value");
  const file = await fluxbaseService.storage.from("avatars").upload(tag + ".txt", "hello");
  if (file.error) throw new Error("upload: " + file.error.message);
  const removed = await fluxbaseService.storage.from("avatars").remove([tag + "-old.txt"]);
  const sub = await fluxbase.jobs.submit("noop", { from: tag });
  if (sub.error) throw new Error("submit: " + sub.error.message);
  return { ids, mine, removed: !removed.error };
}`;

const greet = (word: string) => `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { name } = job.getJobContext().payload;
  console.log("${word} says the code");
  job.reportProgress(50, "${word}");
  return { greeting: "${word} " + name };
}
`;

// Storage writes as the user that a bucket's rules or the policies refuse, and one they allow.
const filesJob = `// @fluxbase:max-retries 0
export async function handler(req, fluxbase) {
  const docs = fluxbase.storage.from("docs");
  const pdf = { contentType: "application/pdf" };
  const outcome = async (write) => {
    const { error } = await write;
    return error ? error.message : "ok";
  };
  return {
    wrongType: await outcome(docs.upload("notes.txt", "plain", { contentType: "text/plain" })),
    tooBig: await outcome(docs.upload("big.pdf", "x".repeat(64), pdf)),
    notTheirs: await outcome(docs.upload("shared.pdf", "%PDF", { ...pdf, upsert: true })),
    exists: await outcome(docs.upload("mine.pdf", "%PDF", pdf)),
    clash: await outcome(docs.upload("mine.pdf/inner.pdf", "%PDF", pdf)),
    removeNotTheirs: await outcome(docs.remove(["shared.pdf"])),
    newBucket: await outcome(fluxbase.storage.from("fresh").upload("a.txt", "a")),
    allowed: await outcome(docs.upload("new.pdf", "%PDF", pdf)),
  };
}`;

// The same code under two versions' settings: a 1 s timeout with no retries, then room enough.
const patient = (timeoutSeconds: number, retries: number) => `/**
 * @fluxbase:timeout ${timeoutSeconds}
 * @fluxbase:max-retries ${retries}
 */
export async function handler() {
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return { waited: true };
}
`;

let t: TestStack;
let ann: FluxbaseClient;
let annId: string;
let annToken: string;

async function api(
  method: string,
  path: string,
  body?: unknown,
  token = annToken,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function finished(id: string): Promise<Job> {
  return waitFor(
    async () => {
      const { body } = await api("GET", `/api/v1/jobs/${id}`);
      return ["completed", "failed"].includes(body.status as string)
        ? (body as unknown as Job)
        : undefined;
    },
    { what: `job ${id} to finish` },
  );
}

async function submit(name: string, payload: object, extra: object = {}): Promise<Job> {
  const res = await api("POST", "/api/v1/jobs/submit", { job_name: name, payload, ...extra });
  expect(res.status).toBe(201);
  return finished(res.body.id as string);
}

/** No connection of this database is left inside a transaction (a dry run's is rolled back). */
async function noOpenTransaction(): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await ownerQuery<{ n: number }>(
        t.database.url,
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return row!.n === 0 ? true : undefined;
    },
    { what: "the dry run's transaction to end" },
  );
}

beforeAll(async () => {
  t = await startTestStack({
    jobs: {
      "notes.ts": notesJob,
      "noop.ts": "export async function handler() { return {}; }",
      "greet.ts": greet("hello"),
      "files.ts": filesJob,
      "patient.ts": patient(1, 0),
      "drop.ts": `export async function handler(req, fluxbase) {
  const { error } = await fluxbase.from("app.drop_box").insert({ note: "for the admins" });
  if (error) throw new Error(error.message);
  return { dropped: true };
}`,
    },
  });
  await createAppTables(t.database.url);
  // Users may put rows in, never read them back.
  await ownerQuery(
    t.database.url,
    `CREATE TABLE app.drop_box (id serial PRIMARY KEY, note text);
     ALTER TABLE app.drop_box ENABLE ROW LEVEL SECURITY;
     CREATE POLICY put_only ON app.drop_box FOR INSERT TO authenticated WITH CHECK (true);`,
  );
  ann = await t.signUp("ann@example.com");
  annId = await userIdOf(ann);
  annToken = (await ann.auth.getSession()).data!.session!.access_token;
  await ann.storage.from("avatars").upload("seed.txt", "x");
});
afterAll(async () => {
  await t?.stop();
});

describe("the ledger", () => {
  it("records a job's inserts, updates, deletes, storage writes and submits as its user", async () => {
    await t.service.storage.from("avatars").upload("real-old.txt", "old");
    const job = await submit("notes", { tag: "real" });
    expect(job.status).toBe("completed");
    const { ids, mine } = job.result as { ids: number[]; mine: unknown[] };
    expect(mine).toEqual([
      { value: "real-1", score: 7 },
      { value: "real-2", score: null },
    ]);
    const rows = await ownerQuery<{ user_id: string }>(
      t.database.url,
      "SELECT user_id FROM app.my_table WHERE value LIKE 'real-%'",
    );
    expect(rows).toEqual([{ user_id: annId }, { user_id: annId }]);

    const { status, body } = await api("GET", `/api/v1/jobs/${job.id}/effects`);
    expect(status).toBe(200);
    expect(body.summary).toBe(
      "inserted 3 rows into app.my_table, updated 1 row in app.my_table, " +
        "deleted 1 row from app.my_table, uploaded avatars/real.txt, " +
        "deleted avatars/real-old.txt, submitted 1 job",
    );
    const effects = body.effects as Record<string, unknown>[];
    expect(effects.map((e) => [e.operation, e.target, e.row_count, e.keys])).toEqual([
      ["insert", "app.my_table", 3, ids.map((id) => ({ id }))],
      ["update", "app.my_table", 1, [{ id: ids[0] }]],
      ["delete", "app.my_table", 1, [{ id: ids[2] }]],
      ["upload", "avatars/real.txt", 1, [{ bucket: "avatars", path: "real.txt" }]],
      ["remove", "avatars/real-old.txt", 1, [{ bucket: "avatars", path: "real-old.txt" }]],
      ["submit", "default/noop", 1, [{ id: expect.any(String) }]],
    ]);
    expect(effects.every((e) => e.dry_run === false && e.attempt === 0)).toBe(true);
    const submitted = (effects[5]!.keys as { id: string }[])[0]!.id;
    expect((await finished(submitted)).status).toBe("completed");
  });

  it("a dry run reads its own writes, leaves the table, storage and queue as they were", async () => {
    await t.service.storage.from("avatars").upload("dry-old.txt", "old");
    const queued = await ownerQuery(t.database.url, "SELECT id FROM jobs.queue");
    const job = await submit("notes", { tag: "dry" }, { dry_run: true });
    expect(job.status).toBe("completed");
    expect(job.dry_run).toBe(true);
    expect((job.result as { mine: unknown[] }).mine).toEqual([
      { value: "dry-1", score: 7 },
      { value: "dry-2", score: null },
    ]);
    await noOpenTransaction();
    expect(
      await ownerQuery(t.database.url, "SELECT id FROM app.my_table WHERE value LIKE 'dry-%'"),
    ).toEqual([]);
    const objects = await ownerQuery<{ name: string }>(
      t.database.url,
      "SELECT name FROM storage.objects WHERE bucket_id = 'avatars' AND name LIKE 'dry%' ORDER BY name",
    );
    expect(objects).toEqual([{ name: "dry-old.txt" }]);
    // Only the dry run itself was queued: its submit was held back.
    const after = await ownerQuery(t.database.url, "SELECT id FROM jobs.queue");
    expect(after.length).toBe(queued.length + 1);

    const { body } = await api("GET", `/api/v1/jobs/${job.id}/effects`);
    expect(body.dry_run).toBe(true);
    expect(body.summary).toBe(
      "inserted 3 rows into app.my_table, updated 1 row in app.my_table, " +
        "deleted 1 row from app.my_table, uploaded avatars/dry.txt, " +
        "deleted avatars/dry-old.txt, submitted 1 job",
    );
    expect((body.effects as { dry_run: boolean }[]).every((e) => e.dry_run)).toBe(true);
  });

  it("a dry run's storage writes meet the bucket's rules and the policies as a real run's do", async () => {
    const bucket = await api(
      "POST",
      "/api/v1/storage/buckets",
      { name: "docs", allowed_mime_types: ["application/pdf"], file_size_limit: 16 },
      t.stack.keys.serviceKey,
    );
    expect(bucket.status).toBe(201);
    const shared = await t.service.storage
      .from("docs")
      .upload("shared.pdf", "%PDF", { contentType: "application/pdf" });
    expect(shared.error).toBeNull();
    const mine = await ann.storage
      .from("docs")
      .upload("mine.pdf", "%PDF", { contentType: "application/pdf" });
    expect(mine.error).toBeNull();
    const stored = () =>
      ownerQuery<{ bucket_id: string; name: string; owner: string | null }>(
        t.database.url,
        `SELECT bucket_id, name, owner FROM storage.objects
         WHERE bucket_id IN ('docs', 'fresh') ORDER BY bucket_id, name`,
      );
    const before = await stored();

    const dry = await submit("files", {}, { dry_run: true });
    expect(dry.status).toBe("completed");
    await noOpenTransaction();
    expect(await stored()).toEqual(before);
    expect(
      await ownerQuery(t.database.url, "SELECT id FROM storage.buckets WHERE id = 'fresh'"),
    ).toEqual([]);

    const real = await submit("files", {});
    expect(real.status).toBe("completed");
    // The dry run was refused where the real run was, with the same reasons.
    expect(dry.result).toEqual(real.result);
    expect(real.result).toMatchObject({
      wrongType: expect.stringContaining("does not accept text/plain"),
      tooBig: expect.stringMatching(/size/i),
      notTheirs: expect.stringContaining("Not allowed"),
      exists: expect.stringContaining("already exists"),
      clash: expect.stringContaining("clashes"),
      removeNotTheirs: expect.stringContaining("not found"),
      newBucket: "ok",
      allowed: "ok",
    });
    expect((await stored()).map((o) => `${o.bucket_id}/${o.name}`)).toEqual([
      "docs/mine.pdf",
      "docs/new.pdf",
      "docs/shared.pdf",
      "fresh/a.txt",
    ]);
  });

  it("a dry run resubmitted stays a dry run", async () => {
    const job = await submit("noop", {}, { dry_run: true });
    const res = await t.service.admin.jobs.resubmit(job.id);
    expect(res.error).toBeNull();
    const again = await finished(res.data!.id);
    expect(again.dry_run).toBe(true);
  });

  it("a write the job may not read back is done and recorded, without its keys", async () => {
    const job = await submit("drop", {});
    expect(job.error_message ?? null).toBeNull();
    expect(job.result).toEqual({ dropped: true });
    expect(await ownerQuery(t.database.url, "SELECT note FROM app.drop_box")).toEqual([
      { note: "for the admins" },
    ]);
    const { body } = await api("GET", `/api/v1/jobs/${job.id}/effects`);
    expect(body.effects).toEqual([
      expect.objectContaining({
        operation: "insert",
        target: "app.drop_box",
        row_count: 1,
        keys: [],
      }),
    ]);
  });

  it("another user cannot read a run's effects; a bad dry_run is a 400 naming it", async () => {
    const job = await submit("noop", {});
    const bob = await t.signUp("bob@example.com");
    const bobToken = (await bob.auth.getSession()).data!.session!.access_token;
    expect((await api("GET", `/api/v1/jobs/${job.id}/effects`, undefined, bobToken)).status).toBe(
      404,
    );
    const bad = await api("POST", "/api/v1/jobs/submit", { job_name: "noop", dry_run: "maybe" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("dry_run");
  });
});

describe("replay", () => {
  it("replays a run with the code it used, or with the current code, linked to the old run", async () => {
    const first = await submit("greet", { name: "Ann" });
    expect(first.result).toEqual({ greeting: "hello Ann" });
    const before = first.function_version!;

    await t.writeJob("greet.ts", greet("howdy"));
    await waitFor(
      async () => {
        const { data } = await t.service.admin.jobs.getFunction("default", "greet");
        return data && data.version > before ? true : undefined;
      },
      { what: "the changed file to load" },
    );

    const original = await api("POST", `/api/v1/jobs/${first.id}/replay`, { code: "original" });
    expect(original.status).toBe(201);
    expect(original.body.replay_of).toBe(first.id);
    const old = await finished(original.body.id as string);
    expect(old.result).toEqual({ greeting: "hello Ann" });
    expect(old.function_version).toBe(before);
    expect(old.created_by).toBe(annId);

    const current = await api("POST", `/api/v1/jobs/${first.id}/replay`, { code: "current" });
    expect(current.status).toBe(201);
    const now = await finished(current.body.id as string);
    expect(now.result).toEqual({ greeting: "howdy Ann" });
    expect(now.function_version).toBeGreaterThan(before);
    const logs = await api("GET", `/api/v1/jobs/${now.id}/logs`);
    expect((logs.body.logs as { message: string }[]).map((l) => l.message)).toContain(
      "howdy says the code",
    );

    const replays = await api("GET", `/api/v1/jobs/${first.id}/replays`);
    expect((replays.body.jobs as Job[]).map((j) => j.id).sort()).toEqual([old.id, now.id].sort());

    const bad = await api("POST", `/api/v1/jobs/${first.id}/replay`, { code: "latest" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("code");
  });

  it("a replay with the run's code uses that version's settings, not the function's current ones", async () => {
    const first = await submit("patient", {});
    expect(first.status).toBe("failed");
    expect(first.error_message).toMatch(/timed out|timeout/i);
    const before = first.function_version!;

    await t.writeJob("patient.ts", patient(60, 2));
    await waitFor(
      async () => {
        const { data } = await t.service.admin.jobs.getFunction("default", "patient");
        return data && data.version > before ? true : undefined;
      },
      { what: "the new settings to load" },
    );

    const original = await api("POST", `/api/v1/jobs/${first.id}/replay`, { code: "original" });
    expect(original.status).toBe(201);
    expect(original.body).toMatchObject({ max_duration_seconds: 1, max_retries: 0 });
    const old = await finished(original.body.id as string);
    expect(old.status).toBe("failed");
    expect(old.error_message).toBe(first.error_message);
    expect(old.function_version).toBe(before);

    const current = await api("POST", `/api/v1/jobs/${first.id}/replay`, { code: "current" });
    expect(current.body).toMatchObject({ max_duration_seconds: 60, max_retries: 2 });
    const now = await finished(current.body.id as string);
    expect(now.status).toBe("completed");
    expect(now.result).toEqual({ waited: true });
  });

  it("saves, lists and deletes named payloads per function and user", async () => {
    const base = "/api/v1/jobs/functions/default/greet/payloads";
    expect((await api("PUT", `${base}/ann`, { payload: { name: "Ann" } })).status).toBe(200);
    expect((await api("PUT", `${base}/ann`, { payload: { name: "Anne" } })).status).toBe(200);
    expect((await api("PUT", `${base}/bo`, { payload: { name: "Bo" } })).status).toBe(200);
    const list = await api("GET", base);
    expect(
      (list.body.payloads as { name: string; payload: unknown }[]).map((p) => [p.name, p.payload]),
    ).toEqual([
      ["ann", { name: "Anne" }],
      ["bo", { name: "Bo" }],
    ]);
    const other = await api("GET", base, undefined, t.stack.keys.serviceKey);
    expect(other.body.payloads).toEqual([]);
    expect((await api("DELETE", `${base}/bo`)).status).toBe(204);
    expect((await api("DELETE", `${base}/bo`)).status).toBe(404);
    const bad = await api("PUT", `${base}/x`, { payload: [1] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("payload");
    expect((await api("GET", "/api/v1/jobs/functions/default/nope/payloads")).status).toBe(404);
  });
});
