// Reuse of sandbox processes against a real Deno: a process that finished a job
// cleanly runs the next job of the same function, permissions and user, with the module
// it imported once and a fresh environment and timers; anything else gets another process.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobRunSpec } from "../../src-server/jobs/worker/runtime.ts";
import {
  createDenoRuntime,
  type DenoRuntime,
  type DenoRuntimeOptions,
} from "../../src-server/jobs/sandbox/index.ts";
import {
  DEFAULT_TEST_PERMISSIONS,
  jobSpec,
  processesMentioning,
  startRun,
  startTestServer,
  waitFor,
  type TestServer,
} from "./sandbox-harness.ts";

const dirs: string[] = [];
const runtimes: DenoRuntime[] = [];
let api: TestServer;
let runtime: DenoRuntime;

function newRuntime(options: Partial<DenoRuntimeOptions> = {}): {
  runtime: DenoRuntime;
  dir: string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-sandbox-reuse-"));
  const created = createDenoRuntime({ cacheDir: dir, warmProcessCount: 1, ...options });
  dirs.push(dir);
  runtimes.push(created);
  return { runtime: created, dir };
}

beforeAll(async () => {
  api = await startTestServer();
  runtime = newRuntime().runtime;
});

afterAll(async () => {
  await Promise.all(runtimes.map((created) => created.close()));
  await api?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

let jobCount = 0;

/** A spec with a job id of its own; `code` is tagged so that no other test shares its key. */
function spec(code: string, tag: string, overrides: Partial<JobRunSpec> = {}): JobRunSpec {
  jobCount += 1;
  const jobId = `00000000-0000-4000-8000-${String(jobCount).padStart(12, "0")}`;
  return jobSpec(`// ${tag}\n${code}`, api.url, { jobId, ...overrides });
}

const run = (code: string, tag: string, overrides: Partial<JobRunSpec> = {}, on = runtime) =>
  startRun(on, spec(code, tag, overrides));

/** Reports the module's own run count, the process and what the environment holds. */
const COUNTER = `
  let runs = 0;
  export function handler() {
    runs += 1;
    const scratch = Deno.env.get("JOB_SCRATCH") ?? null;
    Deno.env.set("JOB_SCRATCH", "left by " + Deno.env.get("FLUXBASE_JOB_ID"));
    globalThis.leftover ??= 0;
    globalThis.leftover += 1;
    return { runs, pid: Deno.pid, job: Deno.env.get("FLUXBASE_JOB_ID"), scratch };
  }`;

type CounterResult = { runs: number; pid: number; job: string; scratch: string | null };

async function counterRun(tag: string, overrides: Partial<JobRunSpec> = {}, on = runtime) {
  const execution = run(COUNTER, tag, overrides, on);
  const outcome = await execution.done;
  if (!outcome.ok) throw new Error(`job failed: ${outcome.error}`);
  return { reused: execution.handle.reused, ...(outcome.result as CounterResult) };
}

const otherUser = { id: "00000000-0000-4000-8000-0000000000u2", role: "authenticated" };

describe("reuse", () => {
  it("runs the next job of the same function and user in the same process and module, with a fresh environment", async () => {
    const first = await counterRun("same-user");
    const second = await counterRun("same-user");
    expect(first).toMatchObject({ reused: false, runs: 1, scratch: null });
    // The module is imported once per process: its top-level state carries over.
    expect(second).toMatchObject({ reused: true, runs: 2, scratch: null, pid: first.pid });
    expect(second.job).not.toBe(first.job);
  });

  it("gives a module that read the globals at its top level the current job's payload, secrets and log", async () => {
    const code = `
      const job = Fluxbase;
      const vault = secrets;
      const log = console.log;
      export function handler() {
        log("payload", job.getJobPayload().n);
        job.reportProgress(50);
        return { n: job.getJobPayload().n, secret: vault.get("token") ?? null, pid: Deno.pid };
      }`;
    const withSecret = (value: string) => ({ user: { token: value }, system: {} });
    const first = run(code, "top-level-globals", { payload: { n: 1 }, secrets: withSecret("one") });
    const firstOutcome = await first.done;
    const second = run(code, "top-level-globals", {
      payload: { n: 2 },
      secrets: withSecret("two"),
    });
    const secondOutcome = await second.done;
    expect(second.handle.reused).toBe(true);
    expect(firstOutcome.ok && secondOutcome.ok).toBe(true);
    const [a, b] = [firstOutcome, secondOutcome].map((o) => (o.ok ? o.result : null)) as Array<{
      n: number;
      secret: string;
      pid: number;
    }>;
    expect([a?.n, a?.secret, b?.n, b?.secret]).toEqual([1, "one", 2, "two"]);
    expect(b?.pid).toBe(a?.pid);
    expect(second.logs).toEqual([{ level: "info", message: "payload 2" }]);
    expect(second.progress).toEqual([{ percent: 50 }]);
  });

  it("never shares a process between users, anonymous jobs or permission sets", async () => {
    const first = await counterRun("users");
    const other = await counterRun("users", { user: otherUser });
    const anonymous = await counterRun("users", { user: null });
    const anonymousAgain = await counterRun("users", { user: null });
    const admin = await counterRun("users", { user: { ...otherUser, role: "admin" } });
    const permissions = { ...DEFAULT_TEST_PERMISSIONS, memoryLimitMb: 200 };
    const otherLimit = await counterRun("users", { permissions });
    expect([other, anonymous, admin, otherLimit].map((result) => result.reused)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const pids = new Set([first.pid, other.pid, anonymous.pid, admin.pid, otherLimit.pid]);
    expect(pids.size).toBe(5);
    expect(anonymousAgain).toMatchObject({ reused: true, pid: anonymous.pid });
  });

  it("clears the timers a finished job left, so they never fire in the next job", async () => {
    const code = `
      export async function handler(req, fb, fbs, job) {
        if (job.getJobPayload().step === 1) {
          setTimeout(() => console.log("timeout of job 1"), 300);
          setInterval(() => console.log("interval of job 1"), 100);
          return 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 600));
        console.log("job 2 done waiting");
        return 2;
      }`;
    const first = run(code, "timers", { payload: { step: 1 } });
    expect(await first.done).toEqual({ ok: true, result: 1 });
    const second = run(code, "timers", { payload: { step: 2 } });
    expect(second.handle.reused).toBe(true);
    expect(await second.done).toEqual({ ok: true, result: 2 });
    expect(second.logs).toEqual([{ level: "info", message: "job 2 done waiting" }]);
    expect(first.logs).toEqual([]);
  });

  it("gives each job clients acting with its own tokens, even when an earlier job kept one", async () => {
    const code = `
      let kept = null;
      export async function handler(req, fluxbase, fluxbaseService, job) {
        const step = job.getJobPayload().step;
        if (step === 1) {
          kept = fluxbase;
          return { step, isClient: fluxbase instanceof createClient("http://x.test").constructor };
        }
        await fluxbase.from("app.items").select("*");
        await fluxbaseService.from("app.items").select("*");
        await kept.from("app.items").select("*");
        return { step, url: fluxbase.url, service: fluxbaseService.isServiceRole };
      }`;
    const first = run(code, "clients", {
      payload: { step: 1 },
      userToken: "user-token-first",
      serviceToken: "service-token-first",
    });
    expect(await first.done).toEqual({ ok: true, result: { step: 1, isClient: true } });
    const before = api.requests.length;
    const second = run(code, "clients", {
      payload: { step: 2 },
      userToken: "user-token-second",
      serviceToken: "service-token-second",
    });
    expect(second.handle.reused).toBe(true);
    expect(await second.done).toEqual({
      ok: true,
      result: { step: 2, url: api.url, service: true },
    });
    const auth = api.requests.slice(before).map((request) => request.headers.authorization);
    // The two clients of job 2, then the one job 1 left in the module: it keeps job 1's token.
    expect(auth).toEqual([
      "Bearer user-token-second",
      "Bearer service-token-second",
      "Bearer user-token-first",
    ]);
  });

  it("gives the next job its own variables after a job changed or removed them", async () => {
    const code = `
      export function handler(req, fb, fbs, job) {
        const seen = {
          url: Deno.env.get("FLUXBASE_URL"),
          name: Deno.env.get("FLUXBASE_JOB_NAME") ?? null,
          path: Deno.env.get("PATH") !== "changed",
        };
        Deno.env.set("FLUXBASE_URL", "http://changed.test");
        Deno.env.set("PATH", "changed");
        Deno.env.delete("FLUXBASE_JOB_NAME");
        return seen;
      }`;
    const expected = { url: api.url, name: "test-job", path: true };
    expect(await run(code, "env-changed").done).toEqual({ ok: true, result: expected });
    const second = run(code, "env-changed");
    expect(second.handle.reused).toBe(true);
    expect(await second.done).toEqual({ ok: true, result: expected });
  });

  it("puts back the console and globals a job replaced before the next job runs", async () => {
    const code = `
      export function handler(req, fb, fbs, job) {
        if (job.getJobPayload().spoil) {
          console.log = () => {};
          console.error = () => {};
          globalThis.Fluxbase = { getJobPayload: () => ({ n: "spoilt" }) };
          globalThis.secrets = null;
          return null;
        }
        console.log("logged", Fluxbase.getJobPayload().n);
        console.error("failed", secrets.get("token"));
        return { n: Fluxbase.getJobPayload().n };
      }`;
    expect((await run(code, "replaced-globals", { payload: { spoil: true } }).done).ok).toBe(true);
    const second = run(code, "replaced-globals", {
      payload: { n: 2 },
      secrets: { user: { token: "hidden-value" }, system: {} },
    });
    expect(await second.done).toEqual({ ok: true, result: { n: 2 } });
    expect(second.handle.reused).toBe(true);
    expect(second.logs).toEqual([
      { level: "info", message: "logged 2" },
      { level: "error", message: "failed ***" },
    ]);
  });

  it("hands each job a payload of its own that the handler may change", async () => {
    const code = `
      export function handler(req, fb, fbs, job) {
        const payload = job.getJobPayload();
        payload.list.push("changed");
        payload.nested.value = "changed";
        const again = job.getJobPayload();
        return {
          again,
          protoKey: Object.hasOwn(again, "__proto__"),
          prototypeKept: Object.getPrototypeOf(again) === Object.prototype,
          context: job.getJobContext().payload.nested.value,
        };
      }`;
    const payload = JSON.parse('{"list":[1],"nested":{"value":"v"},"__proto__":{"x":1}}');
    const outcome = await run(code, "payload-copy", { payload }).done;
    expect(outcome).toEqual({
      ok: true,
      result: {
        again: JSON.parse('{"list":[1],"nested":{"value":"v"},"__proto__":{"x":1}}'),
        protoKey: true,
        prototypeKept: true,
        context: "v",
      },
    });
  });

  it("reuses after a thrown error", async () => {
    const code = `
      export function handler(req, fb, fbs, job) {
        if (job.getJobPayload().fail) throw new Error("ordinary failure");
        return Deno.pid;
      }`;
    const failed = run(code, "after-error", { payload: { fail: true } });
    expect(await failed.done).toEqual({ ok: false, reason: "error", error: "ordinary failure" });
    const next = run(code, "after-error", { payload: {} });
    expect(next.handle.reused).toBe(true);
    expect((await next.done).ok).toBe(true);
  });

  it.each([
    ["a kill", "sleep", "kill"],
    ["a cancel", "cancel", "cancel"],
    ["an unhandled rejection", "reject", "none"],
  ])("does not reuse after %s", async (_name, mode, action) => {
    const code = `
      export async function handler(req, fb, fbs, job) {
        const mode = job.getJobPayload().mode;
        job.reportProgress(1);
        if (mode === "sleep") await new Promise((resolve) => setTimeout(resolve, 600_000));
        if (mode === "cancel") while (!job.checkCancellation()) await new Promise((r) => setTimeout(r, 5));
        if (mode === "reject") Promise.reject(new Error("nobody caught this"));
        return Deno.pid;
      }`;
    const tag = `no-reuse-${mode}`;
    const first = run(code, tag, { payload: { mode } });
    await waitFor(() => first.progress.length > 0);
    if (action === "kill") first.handle.kill("terminated");
    if (action === "cancel") first.handle.requestCancel();
    const outcome = await first.done;
    const next = run(code, tag, { payload: { mode: "plain" } });
    expect(next.handle.reused).toBe(false);
    const nextOutcome = await next.done;
    expect(nextOutcome.ok).toBe(true);
    if (outcome.ok) expect(nextOutcome.ok && nextOutcome.result).not.toBe(outcome.result);
  });
});

/** Node's collector, reachable without --expose-gc on the command line. */
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("memory of a reused process", () => {
  it("keeps nothing of a finished job while its process lives on to run the next ones", async () => {
    const code = "export function handler(req, fb, fbs, job) { return job.getJobPayload().n; }";
    const tag = "forgets-finished-jobs";
    // What a worker hands the runtime for one job: its callbacks hold the worker's state.
    const finished: WeakRef<object>[] = [];
    const runOne = async (n: number) => {
      const callbacks = { onProgress() {}, onLog() {}, state: new Array(1000).fill(n) };
      finished.push(new WeakRef(callbacks));
      const handle = runtime.start(spec(code, tag, { payload: { n } }), callbacks);
      const outcome = await handle.done;
      expect(outcome).toEqual({ ok: true, result: n });
      return handle.reused;
    };
    const reused: boolean[] = [];
    for (let n = 0; n < 5; n++) reused.push(await runOne(n));
    expect(reused.slice(1)).toEqual([true, true, true, true]);
    const gc = collector();
    // A WeakRef's target lives at least until the current turn ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // The last job's process is idle, waiting for the next job; every earlier job is gone.
    const kept = finished.slice(0, -1).filter((ref) => ref.deref() !== undefined).length;
    expect(kept).toBe(0);
  });
});

describe("limits", () => {
  it("retires a process after maxJobsPerProcess jobs", async () => {
    const limited = newRuntime({ maxJobsPerProcess: 2, warmProcessCount: 0 }).runtime;
    const results: Array<CounterResult & { reused: boolean }> = [];
    for (let i = 0; i < 4; i += 1) results.push(await counterRun("max-jobs", {}, limited));
    expect(results.map((result) => result.reused)).toEqual([false, true, false, true]);
    expect(results[1]?.pid).toBe(results[0]?.pid);
    expect(results[2]?.pid).not.toBe(results[0]?.pid);
    await waitFor(() => !existsSync(`/proc/${results[0]?.pid}`));
  });

  it("ends a reusable process that stays idle longer than idleMs", async () => {
    const short = newRuntime({ idleMs: 150, warmProcessCount: 0 }).runtime;
    const first = await counterRun("idle", {}, short);
    await waitFor(() => !existsSync(`/proc/${first.pid}`));
    const second = await counterRun("idle", {}, short);
    expect(second.reused).toBe(false);
  });

  it("reuse: false runs every job in a process of its own", async () => {
    const single = newRuntime({ reuse: false, warmProcessCount: 0 }).runtime;
    const first = await counterRun("no-reuse", {}, single);
    const second = await counterRun("no-reuse", {}, single);
    expect([first.reused, second.reused]).toEqual([false, false]);
    expect(second.pid).not.toBe(first.pid);
    await waitFor(() => !existsSync(`/proc/${first.pid}`));
  });

  it("close() ends idle reusable processes too", async () => {
    const { runtime: local, dir } = newRuntime({ warmProcessCount: 0 });
    const first = await counterRun("close", {}, local);
    expect(processesMentioning(dir)).toEqual([first.pid]);
    await local.close();
    expect(processesMentioning(dir)).toEqual([]);
  });
});
