// Every attempt reaches a final state: outcomes PostgreSQL cannot store as they are (NUL,
// unpaired surrogates) are made storable, a flooding job's log is capped and the job is
// still stopped at its timeout; real PostgreSQL, real Deno.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "nul-result.ts": `
export function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(50, "half\\u0000way", { note: "\\ud800" });
  console.log("a line with a NUL: \\u0000 and a lone \\udc00 surrogate");
  return { text: "x\\u0000y", lone: "\\ud800", ["key\\u0000"]: 1 };
}`,
  "nul-string.ts": `
export function handler() { return "x\\u0000y"; }`,
  "nul-throw.ts": `
// @fluxbase:max-retries 0
export function handler() { throw new Error("bad\\u0000news \\ud800"); }`,
  "surrogate-throw.ts": `
// @fluxbase:max-retries 0
export function handler() { throw new Error("\\ud800"); }`,
  "chatty.ts": `
export function handler() {
  for (let i = 1; i <= 2500; i++) console.log("line " + i);
  return { lines: 2500 };
}`,
  "flood.ts": `
// @fluxbase:timeout 2
// @fluxbase:max-retries 0
export function handler() {
  // 20,000 lines a write, straight to stdout: past the line cap at the first write, however slow the machine.
  const chunk = new TextEncoder().encode(("flood ".repeat(8) + "\\n").repeat(20_000));
  for (;;) Deno.stdout.writeSync(chunk);
}`,
};

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobs });
});
afterAll(async () => {
  await t?.stop();
});

async function finalState(id: string, timeoutMs = 30_000): Promise<Job> {
  return waitFor(
    async () => {
      const { data } = await t.service.jobs.get(id);
      return data && ["completed", "failed", "cancelled"].includes(data.status) ? data : undefined;
    },
    { timeoutMs, what: `job ${id} to reach a final state` },
  );
}

describe("outcomes PostgreSQL cannot store as they are", () => {
  it("completes a job whose result, progress and log hold NUL and unpaired surrogates", async () => {
    const { data: job } = await t.service.jobs.submit("nul-result", {});
    const done = await finalState(job!.id);
    expect(done.status).toBe("completed");
    expect(done.result).toEqual({ text: "x\\u0000y", lone: "\ufffd", "key\\u0000": 1 });
    const { data: logs } = await t.service.jobs.getLogs(job!.id);
    expect(logs!.map((l) => l.message)).toContain(
      "a line with a NUL: \\u0000 and a lone \ufffd surrogate",
    );
  });

  it("completes a job returning a string with a NUL", async () => {
    const { data: job } = await t.service.jobs.submit("nul-string", {});
    const done = await finalState(job!.id);
    expect(done.status).toBe("completed");
    expect(done.result).toBe("x\\u0000y");
  });

  it("fails a job throwing a NUL or a lone surrogate, with its message", async () => {
    const { data: nul } = await t.service.jobs.submit("nul-throw", {});
    const { data: lone } = await t.service.jobs.submit("surrogate-throw", {});
    const [a, b] = await Promise.all([finalState(nul!.id), finalState(lone!.id)]);
    expect(a.status).toBe("failed");
    expect(a.error_message).toBe("bad\\u0000news \ufffd");
    expect(b.status).toBe("failed");
    expect(b.error_message).toBe("\ufffd");
  });
});

describe("a job flooding its log", () => {
  it("is stopped at its timeout, its log capped with a closing line", async () => {
    const { data: job } = await t.service.jobs.submit("flood", {});
    const done = await finalState(job!.id, 60_000);
    expect(done.status).toBe("failed");
    expect(done.error_message).toMatch(/timed out after 2s/);
    const [row] = await t.stack.db.query<{ n: number; bytes: number }>(
      "SELECT count(*) AS n, coalesce(sum(octet_length(message)), 0)::int AS bytes FROM logging.entries WHERE execution_id = $1",
      [job!.id],
    );
    expect(row!.n, JSON.stringify(row)).toBeLessThanOrEqual(10_000 + 5);
    const [truncated] = await t.stack.db.query<{ message: string }>(
      "SELECT message FROM logging.entries WHERE execution_id = $1 AND message LIKE '[log truncated%'",
      [job!.id],
    );
    expect(truncated?.message).toMatch(/log truncated/);
  });
});

describe("the logs API", () => {
  const get = async (path: string) => {
    const res = await fetch(`${t.url}${path}`, {
      headers: { Authorization: `Bearer ${t.stack.keys.serviceKey}` },
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        logs: { line_number: number }[];
        count: number;
        has_more: boolean;
        error?: string;
      },
    };
  };

  it("answers a page at a time, and the SDK reads every page", async () => {
    const { data: job } = await t.service.jobs.submit("chatty", {});
    expect((await finalState(job!.id)).status).toBe("completed");
    await waitFor(async () => {
      const { data } = await t.service.jobs.getLogs(job!.id);
      return data!.length >= 2500 ? true : undefined;
    });

    const first = await get(`/api/v1/jobs/${job!.id}/logs`);
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(1000);
    expect(first.body.has_more).toBe(true);
    expect(first.body.logs.at(-1)!.line_number).toBe(1000);

    const admin = await get(`/api/v1/admin/jobs/queue/${job!.id}/logs?after_line=2000&limit=2000`);
    expect(admin.body.logs[0]!.line_number).toBe(2001);
    expect(admin.body.has_more).toBe(false);

    const bad = await get(`/api/v1/jobs/${job!.id}/logs?limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/limit/);

    for (const logs of [
      (await t.service.jobs.getLogs(job!.id)).data!,
      (await t.service.admin.jobs.getLogs(job!.id)).data!,
    ]) {
      const numbers = logs.map((l) => l.line_number);
      expect(numbers.length).toBe(new Set(numbers).size);
      expect(logs.filter((l) => /^line \d+$/.test(l.message)).length).toBe(2500);
    }
  });
});
