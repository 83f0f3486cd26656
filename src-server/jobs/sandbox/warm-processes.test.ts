import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeProcess } from "../../../test/helpers/fake-sandbox-process.ts";
import type { SandboxProcess } from "./process.ts";
import { WarmProcesses, type LaunchPlan } from "./warm-processes.ts";

const plan: LaunchPlan = { key: "default", args: ["run", "main.js"] };

function pool() {
  const spawned: SandboxProcess[] = [];
  const warm = new WarmProcesses({
    size: 1,
    defaultPlan: plan,
    spawn: () => {
      const process = fakeProcess();
      spawned.push(process);
      return process;
    },
  });
  return { warm, spawned };
}

describe("WarmProcesses", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts the default set's process on the next turn", async () => {
    const { warm, spawned } = pool();
    warm.replenish(plan);
    expect(spawned).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(spawned).toHaveLength(1);
    expect(warm.take(plan)).toBe(spawned[0]);
    await warm.close();
  });

  it("starts a taken process's replacement only once delayMs has passed", async () => {
    vi.useFakeTimers();
    const { warm, spawned } = pool();
    warm.replenish(plan);
    await vi.advanceTimersByTimeAsync(0);
    expect(warm.take(plan)).toBe(spawned[0]);

    warm.replenish(plan, { delayMs: 200 });
    await vi.advanceTimersByTimeAsync(199);
    expect(spawned).toHaveLength(1);
    expect(warm.take(plan)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(spawned).toHaveLength(2);
    expect(warm.take(plan)).toBe(spawned[1]);
    await warm.close();
  });

  it("starts a delayed replacement at once when hurried, and only once", async () => {
    vi.useFakeTimers();
    const { warm, spawned } = pool();
    warm.replenish(plan, { delayMs: 200 });
    warm.replenish(plan, { delayMs: 200 });
    warm.hurry(plan.key);
    expect(spawned).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(spawned).toHaveLength(1);
    warm.hurry(plan.key);
    expect(spawned).toHaveLength(1);
    await warm.close();
  });

  it("starts nothing after close, delayed or hurried", async () => {
    vi.useFakeTimers();
    const { warm, spawned } = pool();
    warm.replenish(plan, { delayMs: 200 });
    await warm.close();
    warm.hurry(plan.key);
    await vi.advanceTimersByTimeAsync(500);
    expect(spawned).toHaveLength(0);
  });
});
