import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClaimTurns } from "./claim-turns.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("claim turns", () => {
  it("gives the turn at once when free, and to waiters in the order they asked", async () => {
    const turns = createClaimTurns();
    const first = turns.take();
    expect(first).toBeDefined();
    expect(turns.take()).toBeUndefined();
    const order: string[] = [];
    const b = turns.wait().then((end) => (order.push("b"), end));
    const c = turns.wait().then((end) => (order.push("c"), end));
    first!();
    const endB = await b;
    expect(order).toEqual(["b"]);
    endB();
    (await c)();
    expect(order).toEqual(["b", "c"]);
    expect(turns.take()).toBeDefined();
  });

  it("passes the turn on when it is held past holdMs; ending it late changes nothing", async () => {
    const turns = createClaimTurns({ holdMs: 100 });
    const slow = turns.take()!;
    let next: (() => void) | undefined;
    void turns.wait().then((end) => (next = end));
    await vi.advanceTimersByTimeAsync(99);
    expect(next).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBeDefined();
    // The slow claim answers now: the turn stays with the next one.
    slow();
    expect(turns.take()).toBeUndefined();
    next!();
    expect(turns.take()).toBeDefined();
  });
});
