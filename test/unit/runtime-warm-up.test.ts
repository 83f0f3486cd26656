// The sandbox entry's warm-up (src-runtime/warm-up.ts) runs before a process reads its
// first job; should any step of it fail, the process must still go on to its jobs. Node
// has the same globals. (Its effect on a first run's latency is measured by
// `tsx bench/first-run.ts`.)
import { afterEach, describe, expect, it, vi } from "vitest";

const originalRequest = globalThis.Request;

describe("the sandbox warm-up", () => {
  afterEach(() => {
    globalThis.Request = originalRequest;
    vi.resetModules();
  });

  it("resolves when a step fails", async () => {
    // The module captures Request as it loads: replaced first, its first step throws.
    globalThis.Request = class {
      constructor() {
        throw new TypeError("no fetch here");
      }
    } as unknown as typeof Request;
    vi.resetModules();
    const { warmUp } = await import("../../src-runtime/warm-up.ts");
    await expect(warmUp()).resolves.toBeUndefined();
  });

  it("adds no global a job could see", async () => {
    const { warmUp } = await import("../../src-runtime/warm-up.ts");
    const before = Object.getOwnPropertyNames(globalThis).sort();
    await warmUp();
    expect(Object.getOwnPropertyNames(globalThis).sort()).toEqual(before);
  });
});
