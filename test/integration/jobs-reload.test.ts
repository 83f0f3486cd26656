// Live reload of the jobs folder: saving a file makes the next version run, a broken save
// keeps the last good code, deleting disables; multi-file jobs are bundled.
import { mkdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job, JobFunction } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const version = (v: number) => `// @fluxbase:max-retries 0
export async function handler() { return { v: ${v} }; }
`;

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobs: { "counter.ts": version(1) } });
});
afterAll(async () => {
  await t?.stop();
});

async function fn(name: string): Promise<JobFunction> {
  const { data, error } = await t.service.admin.jobs.getFunction("default", name);
  if (error) throw error;
  return data!;
}

async function run(name: string, payload: object = {}): Promise<Job> {
  const { data: job, error } = await t.service.jobs.submit(name, payload);
  if (error) throw error;
  return waitFor(
    async () => {
      const { data } = await t.service.jobs.get(job!.id);
      return data && ["completed", "failed"].includes(data.status) ? data : undefined;
    },
    { what: `job ${name} to finish` },
  );
}

describe("jobs folder live reload", () => {
  it("reloads a saved file, keeps the last good code on a syntax error, disables a deleted file", async () => {
    expect((await run("counter")).result).toEqual({ v: 1 });
    const v1 = (await fn("counter")).version;

    await t.writeJob("counter.ts", version(2));
    const saved = Date.now();
    await waitFor(async () => ((await fn("counter")).version === v1 + 1 ? true : undefined), {
      what: "version + 1",
    });
    expect(Date.now() - saved).toBeLessThan(3000);
    expect((await run("counter")).result).toEqual({ v: 2 });

    await t.writeJob("counter.ts", "export async function handler( { return {");
    const broken = await waitFor(
      async () => ((await fn("counter")).bundle_error ? await fn("counter") : undefined),
      {
        what: "bundle_error",
      },
    );
    expect(broken.bundle_error).toMatch(/counter\.ts:1/);
    expect((await run("counter")).result).toEqual({ v: 2 });

    await t.writeJob("counter.ts", version(3));
    await waitFor(async () => ((await fn("counter")).bundle_error ? undefined : true), {
      what: "bundle_error cleared",
    });
    expect((await run("counter")).result).toEqual({ v: 3 });

    await unlink(path.join(t.jobsDir, "counter.ts"));
    const removed = await waitFor(
      async () => ((await fn("counter")).enabled ? undefined : await fn("counter")),
      {
        what: "function disabled",
      },
    );
    expect(removed.bundle_error).toBe("File removed");
    const denied = await t.service.jobs.submit("counter", {});
    expect(denied.error?.status).toBe(403);
    expect(denied.error?.message).toBe("Job function is disabled");

    await t.writeJob("counter.ts", version(4));
    await waitFor(async () => ((await fn("counter")).enabled ? true : undefined), {
      what: "re-enabled",
    });
    expect((await run("counter")).result).toEqual({ v: 4 });
  });

  it("lets a running job finish on the version it started with", async () => {
    const slow = (v: number) => `// @fluxbase:max-retries 0
export async function handler(req, fb, fbs, job) {
  job.reportProgress(10, "started");
  await new Promise((r) => setTimeout(r, 1500));
  return { v: ${v} };
}
`;
    await t.writeJob("slow.ts", slow(1));
    const first = await waitFor(
      async () => (await t.service.admin.jobs.getFunction("default", "slow")).data ?? undefined,
      {
        what: "slow to load",
      },
    );
    const { data: job } = await t.service.jobs.submit("slow", {});
    await waitFor(
      async () =>
        (await t.service.jobs.get(job!.id)).data?.progress?.percent === 10 ? true : undefined,
      {
        what: "slow to start",
      },
    );
    await t.writeJob("slow.ts", slow(2));
    await waitFor(async () => ((await fn("slow")).version > first.version ? true : undefined), {
      what: "slow v2",
    });
    const done = await waitFor(async () => {
      const { data } = await t.service.jobs.get(job!.id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toEqual({ v: 1 });
    expect((await run("slow")).result).toEqual({ v: 2 });
  });

  it("bundles a folder job with relative and _shared imports", async () => {
    await mkdir(path.join(t.jobsDir, "_shared"), { recursive: true });
    await writeFile(
      path.join(t.jobsDir, "_shared", "greet.ts"),
      `export const greet = (s: string): string => "hi " + s;\n`,
    );
    await mkdir(path.join(t.jobsDir, "multi", "lib"), { recursive: true });
    await writeFile(
      path.join(t.jobsDir, "multi", "lib", "util.ts"),
      `export const double = (n: number): number => n * 2;\n`,
    );
    await writeFile(
      path.join(t.jobsDir, "multi", "index.ts"),
      `import { double } from "./lib/util.ts";
import { greet } from "../_shared/greet.ts";
// @fluxbase:max-retries 0
export async function handler(req: unknown, fb: unknown, fbs: unknown, job: { getJobContext(): { payload: { n: number } } }) {
  return { doubled: double(job.getJobContext().payload.n), greeting: greet("multi") };
}
`,
    );
    const multi = await waitFor(
      async () => (await t.service.admin.jobs.getFunction("default", "multi")).data ?? undefined,
      {
        what: "multi to load",
      },
    );
    expect(multi.is_bundled).toBe(true);
    const job = await run("multi", { n: 21 });
    expect(job.error_message ?? null).toBeNull();
    expect(job.result).toEqual({ doubled: 42, greeting: "hi multi" });
  });
});
