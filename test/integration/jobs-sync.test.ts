// POST /admin/jobs/sync and the `jobs sync | export | lint` CLI, pushing to a second server.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const job = (v: number) =>
  `// @fluxbase:timeout 42\nexport async function handler() { return { v: ${v} }; }\n`;
const def = (name: string, v: number) => ({ name, code: job(v) });

let source: TestStack;
let target: TestStack;
let tmp: string;

beforeAll(async () => {
  [source, target] = await Promise.all([
    startTestStack({
      jobs: { "alpha.ts": job(1), "beta.ts": job(2) },
      jobsConfig: { watch: false },
    }),
    startTestStack({ jobsConfig: { watch: false } }),
  ]);
  tmp = await mkdtemp(path.join(tmpdir(), "fluxbase-sync-"));
});
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const names = async (t: TestStack, ns: string) =>
  ((await t.service.admin.jobs.listFunctions(ns)).data ?? []).map((f) => f.name).sort();

describe("POST /api/v1/admin/jobs/sync", () => {
  it("plans without writing on dry run, applies, reports unchanged, deletes missing", async () => {
    const admin = source.service.admin.jobs;
    const dry = await admin.sync({
      namespace: "s1",
      functions: [def("one", 1), def("two", 2)],
      options: { dry_run: true },
    });
    expect(dry.data).toMatchObject({
      dry_run: true,
      summary: { created: 2, updated: 0, errors: 0 },
    });
    expect(await names(source, "s1")).toEqual([]);

    const applied = await admin.sync({
      namespace: "s1",
      functions: [def("one", 1), def("two", 2), { name: "bad name!", code: "x" }],
    });
    expect(applied.data).toMatchObject({
      namespace: "s1",
      summary: { created: 2, errors: 1 },
      details: { created: ["one", "two"] },
    });
    expect(applied.data!.errors[0]).toMatchObject({ job: "bad name!", action: "create" });
    expect(await names(source, "s1")).toEqual(["one", "two"]);
    expect((await admin.getFunction("s1", "one")).data!.timeout_seconds).toBe(42);

    const again = await admin.sync({ namespace: "s1", functions: [def("one", 1), def("two", 2)] });
    expect(again.data!.summary).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 2,
      errors: 0,
    });

    const pruned = await admin.sync({
      namespace: "s1",
      functions: [def("one", 9)],
      options: { delete_missing: true },
    });
    expect(pruned.data!.details).toEqual({
      created: [],
      updated: ["one"],
      deleted: ["two"],
      unchanged: [],
    });
    expect(await names(source, "s1")).toEqual(["one"]);
  });

  it("reloads the server's own folder when no jobs are given, with real counts", async () => {
    const { data } = await source.service.admin.jobs.sync({
      namespace: "fromdisk",
      path: "./jobs",
    });
    expect(data).toMatchObject({
      message: "Jobs synced from filesystem",
      summary: { created: 2, updated: 0, deleted: 0 },
    });
    const second = await source.service.admin.jobs.sync({ namespace: "fromdisk" });
    expect(second.data!.summary).toMatchObject({ created: 0, unchanged: 2 });
  });

  it("rejects bad input naming the field", async () => {
    const res = await fetch(`${source.url}/api/v1/admin/jobs/sync`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${source.stack.keys.serviceKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ jobs: "nope" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/jobs/);
    const anon = await source.anon.admin.jobs.sync({ namespace: "x" });
    expect([401, 403]).toContain(anon.error?.status);
  });
});

describe("fluxbase-local jobs sync | export | lint", () => {
  const cli = async (args: string[]) => {
    const p = runCli(args);
    const code = await p.exited;
    return { code, out: p.output() };
  };

  it("pushes the local folder to another server", async () => {
    const key = target.stack.keys.serviceKey;
    const r = await cli([
      "jobs",
      "sync",
      "--to",
      target.url,
      "--key",
      key,
      "--namespace",
      "pushed",
      "--jobs-dir",
      source.jobsDir,
    ]);
    expect(r.out).toMatch(/created 2/);
    expect(r.code).toBe(0);
    expect(await names(target, "pushed")).toEqual(["alpha", "beta"]);
    const { data: job } = await target.service.jobs.submit("alpha", {}, { namespace: "pushed" });
    const done = await waitFor(async () => {
      const { data } = await target.service.jobs.get(job!.id);
      return data?.status === "completed" || data?.status === "failed" ? data : undefined;
    });
    expect(done.result).toEqual({ v: 1 });
    expect(
      (await target.service.admin.jobs.getFunction("pushed", "alpha")).data!.timeout_seconds,
    ).toBe(42);
  });

  it("exports an archive that sync --from-archive pushes", async () => {
    const out = path.join(tmp, "jobs.json");
    const exported = await cli(["jobs", "export", "--out", out, "--jobs-dir", source.jobsDir]);
    expect(exported.code).toBe(0);
    const archive = JSON.parse(await readFile(out, "utf8")) as {
      format: string;
      functions: { name: string }[];
    };
    expect(archive.format).toBe("fluxbase-jobs/1");
    expect(archive.functions.map((f) => f.name)).toEqual(["alpha", "beta"]);
    const key = target.stack.keys.serviceKey;
    const r = await cli([
      "jobs",
      "sync",
      "--from-archive",
      out,
      "--to",
      target.url,
      "--key",
      key,
      "--namespace",
      "archived",
    ]);
    expect(r.code).toBe(0);
    expect(await names(target, "archived")).toEqual(["alpha", "beta"]);
  });

  it('lint flags from("app.x") and exits 1', async () => {
    const dir = path.join(tmp, "lintjobs");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "q.ts"),
      `export async function handler(req, fluxbase) { return { rows: await fluxbase.from("app.x").select("*") }; }\n`,
    );
    const r = await cli(["jobs", "lint", "--jobs-dir", dir]);
    expect(r.out).toMatch(/schema-qualified-from/);
    expect(r.out).toContain("// portability-ignore schema-qualified-from"); // how to silence it
    expect(r.code).toBe(1);
  });
});
