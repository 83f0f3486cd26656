import { describe, expect, it } from "vitest";
import { createLocalWake } from "./local-wake.ts";

function clocked() {
  let t = 1000;
  const wake = createLocalWake({ expireMs: 100, now: () => t });
  const calls: string[] = [];
  const pool = wake.subscribe({ wake: () => calls.push("wake"), hurry: () => calls.push("hurry") });
  return {
    wake,
    pool,
    calls,
    advance: (ms: number) => (t += ms),
    now: () => t,
  };
}

describe("local wake", () => {
  it("wakes the subscribed pool at once, and its commit's NOTIFY wakes no one again", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    expect(c.calls).toEqual(["wake"]);
    expect(c.pool.echo(7)).toBe(true);
    // Later commits of that backend (not this process's) wake the pool as usual.
    expect(c.pool.echo(7)).toBe(false);
  });

  it("knows each echo by its sending backend, one per commit", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    c.wake.committed(7, c.now());
    c.wake.committed(8, c.now());
    expect(c.pool.echo(9)).toBe(false);
    expect([c.pool.echo(7), c.pool.echo(8), c.pool.echo(7), c.pool.echo(7)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("only hurries the NOTIFY's claim, and expects nothing, when the NOTIFY beat the answer", () => {
    const c = clocked();
    const sentAt = c.now();
    c.advance(1);
    expect(c.pool.echo(7)).toBe(false);
    c.advance(1);
    c.wake.committed(7, sentAt);
    expect(c.calls).toEqual(["hurry"]);
    // The next NOTIFY from that backend is another commit's: it wakes the pool.
    expect(c.pool.echo(7)).toBe(false);
  });

  it("forgets echoes on reconnect and after they expire", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    c.pool.reset();
    expect(c.pool.echo(7)).toBe(false);
    c.wake.committed(7, c.now());
    c.advance(101);
    expect(c.pool.echo(7)).toBe(false);
  });

  it("does nothing while no pool listens; a replaced subscription knows no echoes", () => {
    const wake = createLocalWake();
    wake.committed(7, 0);
    const calls: string[] = [];
    const first = wake.subscribe({ wake: () => calls.push("first"), hurry: () => undefined });
    const second = wake.subscribe({ wake: () => calls.push("second"), hurry: () => undefined });
    wake.committed(7, performance.now());
    expect(calls).toEqual(["second"]);
    expect(first.echo(7)).toBe(false);
    expect(second.echo(7)).toBe(true);
    second.close();
    wake.committed(8, performance.now());
    expect(calls).toEqual(["second"]);
    expect(second.echo(8)).toBe(false);
  });
});
