import { describe, expect, it } from "vitest";
import { createProgressCoalescer } from "./progress-coalescer.ts";

function harness() {
  let clock = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const writes: number[] = [];
  const coalescer = createProgressCoalescer<number>({
    intervalMs: 250,
    now: () => clock,
    setTimer: (fn, ms) => {
      const t = { at: clock + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => timers.splice(timers.indexOf(t as never), 1),
    write: async (v) => {
      writes.push(v);
    },
  });
  const advance = async (ms: number) => {
    clock += ms;
    for (const t of [...timers].filter((t) => t.at <= clock)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
    await new Promise((r) => setImmediate(r));
  };
  return { coalescer, writes, advance };
}

describe("progress coalescer", () => {
  it("writes the first report at once and then at most once per interval with the newest value", async () => {
    const { coalescer, writes, advance } = harness();
    coalescer.report(1);
    await advance(0);
    for (let i = 2; i <= 10_000; i++) coalescer.report(i);
    await advance(100);
    expect(writes).toEqual([1]);
    await advance(150);
    expect(writes).toEqual([1, 10_000]);
  });

  it("hands back the final value when it was not written yet", async () => {
    const { coalescer, writes, advance } = harness();
    coalescer.report(5);
    await advance(0);
    coalescer.report(99);
    expect(await coalescer.finish()).toBe(99);
    await advance(1000);
    expect(writes).toEqual([5]);
  });

  it("returns nothing to add when the newest value is already written", async () => {
    const { coalescer, advance } = harness();
    coalescer.report(7);
    await advance(0);
    expect(await coalescer.finish()).toBeUndefined();
    expect(coalescer.latest()).toBe(7);
  });
});
