// The Deno sandbox against a real Deno: results, progress, logs, errors, cancel, kill,
// large results and the warm processes. Security properties live in sandbox-security.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDenoRuntime, type DenoRuntime } from "../../src-server/jobs/sandbox/index.ts";
import {
  DEFAULT_TEST_PERMISSIONS,
  jobSpec,
  startRun,
  startTestServer,
  waitFor,
  type TestServer,
} from "./sandbox-harness.ts";

let cacheDir: string;
let runtime: DenoRuntime;
let api: TestServer;

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), "fluxbase-sandbox-"));
  runtime = createDenoRuntime({ cacheDir, warmProcessCount: 1 });
  api = await startTestServer();
});

afterAll(async () => {
  await runtime?.close();
  await api?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const run = (code: string, overrides = {}) => startRun(runtime, jobSpec(code, api.url, overrides));

describe("results", () => {
  it.each([
    [
      "an object",
      "export async function handler() { return { ok: true, n: 1 }; }",
      { ok: true, n: 1 },
    ],
    ["an array", "export const handler = () => [1, 'two', null];", [1, "two", null]],
    ["a string", "export const handler = async () => 'done';", "done"],
    ["a number", "export function handler() { return 42.5; }", 42.5],
    ["undefined as null", "export function handler() {}", null],
    ["a JSON Response", "export const handler = () => Response.json({ a: 1 });", { a: 1 }],
    [
      "a text Response",
      "export const handler = () => new Response('hi', { status: 202 });",
      { body: "hi", status: 202 },
    ],
    ["an anonymous default export", "export default async function () { return 'anon'; }", "anon"],
    ["main(payload)", "export function main(payload) { return payload.items.length; }", 3],
  ])("returns %s", async (_name, code, expected) => {
    expect(await run(code).done).toEqual({ ok: true, result: expected });
  });

  it("passes req, both clients, job utils and the globals", async () => {
    const code = `
      export async function handler(req, fluxbase, fluxbaseService, job) {
        await fluxbase.from("app.items").select("*");
        await fluxbaseService.from("app.items").select("*");
        return {
          method: req.method,
          body: await req.json(),
          context: job.getJobContext(),
          payload: job.getJobPayload(),
          same: Fluxbase.getJobContext().job_id === job.getJobContext().job_id,
          env: Deno.env.get("FLUXBASE_JOB_ID"),
          cancelled: Deno.env.get("FLUXBASE_JOB_CANCELLED"),
          url: Deno.env.get("FLUXBASE_URL"),
        };
      }`;
    const outcome = await run(code, { retryCount: 0 }).done;
    expect(outcome).toEqual({
      ok: true,
      result: {
        method: "POST",
        body: { items: [1, 2, 3] },
        context: {
          job_id: "00000000-0000-4000-8000-000000000001",
          job_name: "test-job",
          namespace: "default",
          retry_count: 0,
          payload: { items: [1, 2, 3] },
          user: {
            id: "00000000-0000-4000-8000-0000000000u1",
            email: "ada@example.com",
            role: "authenticated",
          },
        },
        payload: { items: [1, 2, 3] },
        same: true,
        env: "00000000-0000-4000-8000-000000000001",
        cancelled: "false",
        url: api.url,
      },
    });
    const auth = api.requests.map((request) => request.headers.authorization);
    expect(auth).toContain("Bearer user-token-abc");
    expect(auth).toContain("Bearer service-token-xyz");
  });

  it("returns a 5 MB result intact", async () => {
    const outcome = await run(
      "export const handler = () => ({ big: 'x'.repeat(5 * 1024 * 1024) });",
    ).done;
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && (outcome.result as { big: string }).big.length).toBe(5 * 1024 * 1024);
  });

  it("exits promptly after the result even with timers left running", async () => {
    const outcome = await run(
      "export function handler() { setInterval(() => {}, 1000); return 'ok'; }",
    ).done;
    expect(outcome).toEqual({ ok: true, result: "ok" });
  });
});

describe("start time", () => {
  it("says when the handler was called, by the sandbox's clock", async () => {
    const before = performance.timeOrigin + performance.now();
    let startedAt: number | undefined;
    const handle = runtime.start(
      jobSpec(
        "export function handler() { return performance.timeOrigin + performance.now(); }",
        api.url,
      ),
      { onProgress() {}, onLog() {}, onStart: (at) => (startedAt = at) },
    );
    const outcome = await handle.done;
    const after = performance.timeOrigin + performance.now();
    if (!outcome.ok) throw new Error(outcome.error);
    const inHandler = outcome.result as number;
    expect(startedAt).toBeGreaterThanOrEqual(before);
    expect(startedAt).toBeLessThanOrEqual(inHandler);
    expect(inHandler).toBeLessThanOrEqual(after);
  });
});

describe("progress and logs", () => {
  it("delivers progress in order, clamped, with any JSON data", async () => {
    const code = `
      export function handler(req, fb, fbs, job) {
        job.reportProgress(10, "start");
        job.reportProgress(33.3, "third", [1, 2]);
        job.reportProgress(150);
        job.reportProgress(-5, "below", "text");
        return null;
      }`;
    const execution = run(code);
    await execution.done;
    expect(execution.progress).toEqual([
      { percent: 10, message: "start" },
      { percent: 33.3, message: "third", data: [1, 2] },
      { percent: 100 },
      { percent: 0, message: "below", data: "text" },
    ]);
  });

  it("keeps console levels and reads raw output as info / error", async () => {
    const code = `
      export function handler() {
        console.log("log", { a: 1 });
        console.info("info %s=%d", "n", 7);
        console.debug("debug");
        console.warn("warn");
        console.error("error");
        Deno.stdout.writeSync(new TextEncoder().encode("raw out\\n"));
        Deno.stderr.writeSync(new TextEncoder().encode("raw err\\n"));
        return 1;
      }`;
    const execution = run(code);
    expect(await execution.done).toEqual({ ok: true, result: 1 });
    expect(execution.logs).toEqual([
      { level: "info", message: "log { a: 1 }" },
      { level: "info", message: "info n=7" },
      { level: "debug", message: "debug" },
      { level: "warn", message: "warn" },
      { level: "error", message: "error" },
      { level: "info", message: "raw out" },
      { level: "error", message: "raw err" },
    ]);
    expect(execution.started()).toBe(true);
  });
});

describe("errors", () => {
  it.each([
    ["an Error", "throw new Error('boom');", "boom"],
    ["a string", "throw 'plain string';", "plain string"],
    [
      "a missing required secret",
      "secrets.getRequired('stripe_key');",
      "Required secret 'stripe_key' not found. Set it via SDK or CLI.",
    ],
    [
      "an unhandled rejection",
      "Promise.reject(new Error('late')); await new Promise(() => {});",
      "late",
    ],
    [
      "an uncaught timer error",
      "setTimeout(() => { throw new Error('in timer'); }, 1); await new Promise(() => {});",
      "in timer",
    ],
  ])("fails with the message of %s", async (_name, body, message) => {
    const outcome = await run(`export async function handler() { ${body} }`).done;
    expect(outcome).toEqual({ ok: false, reason: "error", error: message });
  });

  it("names the line of the TypeScript as written in an error's stack", async () => {
    const logs: string[] = [];
    const code = [
      "interface Input { n: number }",
      "",
      "export function handler(): number {",
      "  const input: Input = { n: 1 };",
      "  throw new Error(`boom ${input.n}`);",
      "}",
    ].join("\n");
    const handle = runtime.start(jobSpec(code, api.url), {
      onProgress() {},
      onLog: (_level, message) => logs.push(message),
    });
    expect(await handle.done).toEqual({ ok: false, reason: "error", error: "boom 1" });
    expect(logs.join("\n")).toMatch(/at [^\n]*handler[^\n]*\(blob:[^)]*:5:9\)/);
  });

  it("fails when the module has no entry point, or does not load", async () => {
    expect(await run("export const x = 1;").done).toMatchObject({
      ok: false,
      reason: "error",
      error: expect.stringMatching(/No handler function found/),
    });
    expect(await run("export function handler( {").done).toMatchObject({
      ok: false,
      reason: "error",
    });
  });
});

describe("cancel and kill", () => {
  it("checkCancellation() turns true mid-run after requestCancel()", async () => {
    const code = `
      export async function handler(req, fb, fbs, job) {
        job.reportProgress(1, "waiting");
        while (!job.checkCancellation()) await new Promise((r) => setTimeout(r, 5));
        return { cancelled: true, async: await job.isCancelled(), env: Deno.env.get("FLUXBASE_JOB_CANCELLED") };
      }`;
    const execution = run(code);
    await waitFor(() => execution.progress.length > 0);
    execution.handle.requestCancel();
    expect(await execution.done).toEqual({
      ok: true,
      result: { cancelled: true, async: true, env: "true" },
    });
  });

  it("kills a sleeping job", async () => {
    const execution = run(
      "export async function handler() { await new Promise((r) => setTimeout(r, 600_000)); }",
    );
    await waitFor(execution.started);
    execution.handle.kill("Job execution timed out");
    expect(await execution.done).toEqual({
      ok: false,
      reason: "killed",
      error: "Job execution timed out",
    });
  });

  it.each([
    ["a pre-started", {}],
    [
      "a cold",
      { permissions: { ...DEFAULT_TEST_PERMISSIONS, allowRead: true, memoryLimitMb: 96 } },
    ],
  ])("kills %s process before the job has even started", async (_name, overrides) => {
    const execution = run("export const handler = () => 1;", overrides);
    execution.handle.kill("terminated");
    expect(await execution.done).toEqual({ ok: false, reason: "killed", error: "terminated" });
  });
});

describe("warm processes", () => {
  it("runs the next job in a pre-started process", async () => {
    await run("export const handler = () => 1;").done;
    const second = run("export const handler = () => 2;");
    // Known once the run has started (a new version's code is made ready first).
    expect(await second.done).toEqual({ ok: true, result: 2 });
    expect(second.handle.warm).toBe(true);
  });

  it("keeps a process ready for another permission set once it has been used", async () => {
    const permissions = {
      allowNet: true,
      allowEnv: true,
      allowRead: false,
      allowWrite: true,
      memoryLimitMb: 128,
    };
    const first = run("export const handler = () => 'a';", { permissions });
    await first.done;
    expect(first.handle.warm).toBe(false);
    const second = run("export const handler = () => 'b';", { permissions });
    expect(await second.done).toEqual({ ok: true, result: "b" });
    expect(second.handle.warm).toBe(true);
  });
});

describe("the runtime's own code", () => {
  it("is loaded by Deno as one bundled JavaScript file", async () => {
    // Deno.mainModule names the file Deno was started with.
    const outcome = await run("export const handler = () => Deno.mainModule;").done;
    expect(outcome).toMatchObject({
      ok: true,
      result: expect.stringMatching(/\/runtime-[0-9a-f]{16}\.js$/),
    });
  });
});
