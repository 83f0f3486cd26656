import { describe, expect, it } from "vitest";
import { createLocalWake } from "./local-wake.ts";

function clocked() {
  let t = 1000;
  const wake = createLocalWake({ expireMs: 100, now: () => t });
  let woken = 0;
  wake.subscribe(() => woken++);
  return {
    wake,
    woken: () => woken,
    advance: (ms: number) => (t += ms),
    now: () => t,
  };
}

describe("local wake", () => {
  it("wakes the subscribed pool at once, and its commit's NOTIFY wakes no one again", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    expect(c.woken()).toBe(1);
    expect(c.wake.echo(7)).toBe(true);
    // Later commits of that backend (not this process's) wake the pool as usual.
    expect(c.wake.echo(7)).toBe(false);
  });

  it("knows each echo by its sending backend, one per commit", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    c.wake.committed(7, c.now());
    c.wake.committed(8, c.now());
    expect(c.wake.echo(9)).toBe(false);
    expect([c.wake.echo(7), c.wake.echo(8), c.wake.echo(7), c.wake.echo(7)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("neither wakes nor expects when the NOTIFY beat the insert's answer (it woke the pool)", () => {
    const c = clocked();
    const sentAt = c.now();
    c.advance(1);
    expect(c.wake.echo(7)).toBe(false);
    c.advance(1);
    c.wake.committed(7, sentAt);
    expect(c.woken()).toBe(0);
    // The next NOTIFY from that backend is another commit's: it wakes the pool.
    expect(c.wake.echo(7)).toBe(false);
  });

  it("forgets echoes on reconnect and after they expire", () => {
    const c = clocked();
    c.wake.committed(7, c.now());
    c.wake.reset();
    expect(c.wake.echo(7)).toBe(false);
    c.wake.committed(7, c.now());
    c.advance(101);
    expect(c.wake.echo(7)).toBe(false);
  });

  it("does nothing while no pool listens", () => {
    const wake = createLocalWake();
    wake.committed(7, 0);
    expect(wake.echo(7)).toBe(false);
    let woken = 0;
    const unsubscribe = wake.subscribe(() => woken++);
    unsubscribe();
    wake.committed(7, 0);
    expect(woken).toBe(0);
    expect(wake.echo(7)).toBe(false);
  });
});
