// The attempt-level parts of worker health (progress watchdog, cancel / terminate, holding
// for a debugger) on attempts started with the in-process runtime. Heartbeat and reaper
// are SQL and are covered by the pool's integration tests (worker-recovery, kill-recovery,
// orphaned-running).
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/connections.ts";
import { silentLogger } from "../../logger.ts";
import type { RunningJob } from "./execute.ts";
import { createInProcessRuntime } from "./in-process-runtime.ts";
import type { JobRunSpec } from "./runtime.ts";
import { createWorkerHealth } from "./worker-health.ts";

const runtime = createInProcessRuntime({
  // Runs until cancelled (it checks) or killed.
  wait: (job) =>
    new Promise((resolve) => {
      const t = setInterval(() => {
        if (job.isCancelled()) {
          clearInterval(t);
          resolve("cancelled");
        }
      }, 5);
    }),
});

function start(id: string, progressTimeoutMs = 1000): RunningJob {
  const handle = runtime.start({ jobName: "wait" } as JobRunSpec, {
    onProgress: () => undefined,
    onLog: () => undefined,
  });
  return {
    key: { id, workerId: "w", retryCount: 0 },
    jobName: "wait",
    startedAt: 0,
    lastProgressAt: 0,
    progressTimeoutMs,
    handle,
  };
}

function health(running: Map<string, RunningJob>) {
  return createWorkerHealth({
    db: undefined as unknown as Db, // the attempt-level parts make no query
    config: {
      workerHeartbeatIntervalMs: 1000,
      workerTimeoutMs: 5000,
      cancelGraceMs: 50,
      maxConcurrentPerWorker: 5,
    },
    logger: silentLogger,
    workers: () => [],
    running,
    stopping: () => false,
    register: async () => "w2",
    local: { identity: { hostname: "box" }, pid: 1, isAlive: () => true },
  });
}

describe("the progress watchdog", () => {
  it("kills an attempt silent for longer than its progress timeout, and says why", async () => {
    const quiet = start("a");
    const chatty = start("b");
    chatty.lastProgressAt = 1500;
    const running = new Map([
      ["a", quiet],
      ["b", chatty],
    ]);
    health(running).watchProgress(2000);
    expect(quiet.killReason).toEqual({
      message: "Progress timeout: no progress reported for 1s",
      retry: true,
    });
    expect(await quiet.handle!.done).toMatchObject({ ok: false, reason: "killed" });
    expect(chatty.killReason).toBeUndefined();
    chatty.handle!.kill("test over");
  });

  it("leaves a held attempt alone, and gives it a fresh window when released", async () => {
    const attempt = start("a");
    const running = new Map([["a", attempt]]);
    const h = health(running);
    expect(h.hold("a", true)).toBe(true);
    h.watchProgress(10_000);
    expect(attempt.killReason).toBeUndefined();
    expect(h.hold("a", false)).toBe(true);
    h.watchProgress(attempt.lastProgressAt + 500);
    expect(attempt.killReason).toBeUndefined();
    h.watchProgress(attempt.lastProgressAt + 1500);
    expect(attempt.killReason?.message).toMatch(/Progress timeout/);
    await attempt.handle!.done;
  });

  it("cannot hold a job that does not run here", () => {
    expect(health(new Map()).hold("nope", true)).toBe(false);
  });
});

describe("control requests", () => {
  it("asks a cancelled job to stop, and kills it after the grace period if it does not", async () => {
    const attempt = start("a");
    health(new Map([["a", attempt]])).control({ op: "cancel", id: "a" });
    expect(attempt.stopReason).toBe("cancelled");
    // The in-process job sees the request and returns.
    expect(await attempt.handle!.done).toEqual({ ok: true, result: "cancelled" });
  });

  it("terminates a job at once", async () => {
    const attempt = start("a");
    health(new Map([["a", attempt]])).control({ op: "terminate", id: "a" });
    expect(await attempt.handle!.done).toEqual({
      ok: false,
      error: "Terminated by an administrator",
      reason: "killed",
    });
  });

  it("ignores a request for a job not running here", () => {
    expect(() => health(new Map()).control({ op: "terminate", id: "x" })).not.toThrow();
  });
});
