// The sandbox entry's warm-up (src-runtime/warm-up.ts) runs before a process reads its
// first job; should any step of it fail, the process must still go on to its jobs. Node
// has the same globals, except that it cannot import a blob: URL: that step throws here.
// (Its effect on a first run's latency is measured by `tsx bench/first-run.ts`.)
import { describe, expect, it } from "vitest";
import { warmUp } from "../../src-runtime/warm-up.ts";

describe("the sandbox warm-up", () => {
  it("resolves when a step fails", async () => {
    // The premise: here, importing a blob: URL fails, as the warm-up's import will.
    const url = URL.createObjectURL(new Blob(["export {};"], { type: "application/javascript" }));
    await expect(import(/* @vite-ignore */ url)).rejects.toThrow();
    URL.revokeObjectURL(url);
    await expect(warmUp()).resolves.toBeUndefined();
  });

  it("adds no global a job could see", async () => {
    const before = Object.getOwnPropertyNames(globalThis).sort();
    await warmUp();
    expect(Object.getOwnPropertyNames(globalThis).sort()).toEqual(before);
  });
});
