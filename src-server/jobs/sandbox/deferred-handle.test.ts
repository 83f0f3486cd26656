import { describe, expect, it } from "vitest";
import type { JobOutcome } from "../worker/runtime.ts";
import type { SandboxRunHandle } from "./process-run.ts";
import { deferredHandle } from "./deferred-handle.ts";

function fakeHandle() {
  const calls: string[] = [];
  let settle!: (outcome: JobOutcome) => void;
  const handle: SandboxRunHandle = {
    warm: true,
    reused: false,
    done: new Promise((resolve) => (settle = resolve)),
    requestCancel: () => calls.push("cancel"),
    kill: (reason) => calls.push(`kill ${reason}`),
  };
  return { handle, calls, settle };
}

describe("deferredHandle", () => {
  it("passes on a cancel and a kill asked for before the run started", async () => {
    const inner = fakeHandle();
    let start!: (handle: SandboxRunHandle) => void;
    const outer = deferredHandle(new Promise((resolve) => (start = resolve)));
    expect(outer.warm).toBe(false);
    outer.requestCancel();
    outer.kill("timeout");
    start(inner.handle);
    inner.settle({ ok: false, reason: "killed", error: "timeout" });
    expect(await outer.done).toEqual({ ok: false, reason: "killed", error: "timeout" });
    expect(inner.calls).toEqual(["cancel", "kill timeout"]);
    expect(outer.warm).toBe(true);
  });

  it("a preparation that fails ends the run as crashed", async () => {
    const outer = deferredHandle(Promise.reject(new Error("no resolver")));
    expect(await outer.done).toEqual({
      ok: false,
      reason: "crashed",
      error: "cannot start the sandbox: no resolver",
    });
  });
});
