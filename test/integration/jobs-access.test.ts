// Who may see, cancel, retry and submit what.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type FluxbaseClient } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "echo.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  const ctx = job.getJobContext();
  return { user: ctx.user, payload: ctx.payload };
}`,
  "admin-report.ts": `/**
 * @fluxbase:require-role admin
 */
export async function handler() { return { ok: true }; }`,
  "members-only.ts": `// @fluxbase:require-role authenticated
export async function handler() { return { ok: true }; }`,
  "submit-follow-up.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  const { data, error } = await fluxbase.jobs.submit("echo", { from: job.getJobContext().job_id });
  if (error) throw new Error(error.message);
  return { follow_up: data.id };
}`,
};

let t: TestStack;
let ann: FluxbaseClient;
let bob: FluxbaseClient;

beforeAll(async () => {
  t = await startTestStack({ jobs });
  ann = await t.signUp("ann@example.com");
  bob = await t.signUp("bob@example.com");
});
afterAll(async () => {
  await t?.stop();
});

describe("job visibility and ownership", () => {
  it("keeps each user's jobs to themselves; admins and the service key see all", async () => {
    const { data: job } = await ann.jobs.submit("echo", { secret: "ann's" });
    expect(job!.created_by).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(job!.user_email).toBe("ann@example.com");

    expect((await ann.jobs.get(job!.id)).data!.id).toBe(job!.id);
    const bobGet = await bob.jobs.get(job!.id);
    expect(bobGet.error?.status).toBe(404);
    expect((await bob.jobs.list()).data!.map((j) => j.id)).not.toContain(job!.id);
    expect((await bob.jobs.cancel(job!.id)).error?.status).toBe(404);
    expect((await bob.jobs.retry(job!.id)).error?.status).toBe(404);
    expect((await bob.jobs.getLogs(job!.id)).error?.status).toBe(404);
    // The anon key reads no job at all (issue 12 item 9): 403, not even a "not found".
    expect((await t.anon.jobs.get(job!.id)).error?.status).toBe(403);

    expect((await t.service.jobs.get(job!.id)).data!.id).toBe(job!.id);
    const { data: all } = await t.service.admin.jobs.listJobs({});
    expect(all!.map((j) => j.id)).toContain(job!.id);
    expect((await ann.jobs.list()).data!.map((j) => j.id)).toContain(job!.id);
  });

  it("runs a job with its submitter's identity in the context", async () => {
    const { data: job } = await ann.jobs.submit("echo", { n: 1 });
    const done = await waitFor(async () => {
      const { data } = await ann.jobs.get(job!.id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toMatchObject({
      user: { email: "ann@example.com", role: "authenticated" },
      payload: { n: 1 },
    });
  });

  it("lets a job submit follow-up jobs as the same user", async () => {
    const { data: job } = await ann.jobs.submit("submit-follow-up", {});
    const done = await waitFor(async () => {
      const { data } = await ann.jobs.get(job!.id);
      if (data?.status === "failed") throw new Error(data.error_message);
      return data?.status === "completed" ? data : undefined;
    });
    const followUpId = (done.result as { follow_up: string }).follow_up;
    const { data: followUp } = await ann.jobs.get(followUpId);
    expect(followUp!.user_email).toBe("ann@example.com");
    expect((await bob.jobs.get(followUpId)).error?.status).toBe(404);
  });

  it("enforces require-role: 403 for users, allowed for the service key", async () => {
    const denied = await ann.jobs.submit("admin-report", {});
    expect(denied.error?.status).toBe(403);
    expect(denied.error?.message).toBe("Insufficient permissions");
    expect((await t.anon.jobs.submit("members-only", {})).error?.status).toBe(403);
    expect((await ann.jobs.submit("members-only", {})).error).toBeNull();
    expect((await t.service.jobs.submit("admin-report", {})).error).toBeNull();
  });

  it("refuses admin routes to users and to the anon key", async () => {
    expect((await ann.admin.jobs.listWorkers()).error?.status).toBe(403);
    expect((await t.anon.admin.jobs.getStats()).error?.status).toBe(403);
    const { data: workers } = await t.service.admin.jobs.listWorkers();
    expect(workers!.length).toBeGreaterThanOrEqual(2);
    expect(workers![0]).toMatchObject({ status: "active", max_concurrent_jobs: 5 });
  });

  it("refuses a forged or expired token with 401", async () => {
    const forged = await fetch(`${t.url}/api/v1/jobs`, {
      headers: { Authorization: "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoic2VydmljZV9yb2xlIn0." },
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "Invalid or expired Bearer token" });
    const none = await fetch(`${t.url}/api/v1/jobs`);
    expect(none.status).toBe(401);
  });
});

describe("run as another user (on_behalf_of)", () => {
  it("lets an admin submit as another user, and refuses plain users", async () => {
    const password = "correct horse battery";
    const created = await t.service.admin.users.create({
      email: "ada@example.com",
      password,
      role: "admin",
    });
    expect(created.error).toBeNull();
    const ada = createClient(t.url, { apiKey: t.stack.keys.anonKey });
    expect((await ada.auth.signIn({ email: "ada@example.com", password })).error).toBeNull();
    const { data: users } = await t.service.admin.users.list();
    const annId = users!.find((u) => u.email === "ann@example.com")!.id;

    const { data: job, error } = await ada.jobs.submit("echo", { as: "ann" }, { runAs: annId });
    expect(error).toBeNull();
    expect(job!.user_email).toBe("ann@example.com");
    const done = await waitFor(async () => {
      const { data } = await ann.jobs.get(job!.id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toMatchObject({ user: { email: "ann@example.com" } });

    const refused = await bob.jobs.submit("echo", {}, { runAs: annId });
    expect(refused.error?.status).toBe(403);
    await ada.auth.signOut();
  });
});
