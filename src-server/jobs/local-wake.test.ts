import { describe, expect, it } from "vitest";
import type { Queryable } from "../db/connections.ts";
import { createLocalWake, type LocalWakeListener } from "./local-wake.ts";

const noDb: Queryable = { query: () => Promise.resolve([]) };

/** A pool whose claimBehind has a worker with room while `room` says so. */
function listener(calls: string[], name = "wake", room = () => true): LocalWakeListener {
  return {
    wake: () => void calls.push(name),
    hurry: () => void calls.push("hurry"),
    claimBehind(_db, send) {
      if (!room()) return false;
      send();
      calls.push("claim behind");
      return true;
    },
  };
}

function clocked(room = () => true) {
  let t = 1000;
  const wake = createLocalWake({ expireMs: 100, now: () => t });
  const calls: string[] = [];
  const pool = wake.subscribe(listener(calls, "wake", room));
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
    const first = wake.subscribe(listener(calls, "first"));
    const second = wake.subscribe(listener(calls, "second"));
    wake.committed(7, performance.now());
    expect(calls).toEqual(["second"]);
    expect(first.echo(7)).toBe(false);
    expect(second.echo(7)).toBe(true);
    second.close();
    wake.committed(8, performance.now());
    expect(calls).toEqual(["second"]);
    expect(second.echo(8)).toBe(false);
  });

  it("sends the insert, then the claim behind it, and expects that commit's NOTIFY", () => {
    const c = clocked();
    const sent = c.wake.claimBehind(noDb, 7, () => c.calls.push("insert"));
    expect(sent).toBe(true);
    expect(c.calls).toEqual(["insert", "claim behind"]);
    expect(c.pool.echo(7)).toBe(true);
    expect(c.pool.echo(7)).toBe(false);
  });

  it("sends nothing when no worker has room, or no pool listens", () => {
    let room = false;
    const c = clocked(() => room);
    expect(c.wake.claimBehind(noDb, 7, () => c.calls.push("insert"))).toBe(false);
    expect(c.calls).toEqual([]);
    expect(c.pool.echo(7)).toBe(false);
    room = true;
    c.pool.close();
    expect(c.wake.claimBehind(noDb, 7, () => c.calls.push("insert"))).toBe(false);
    expect(c.calls).toEqual([]);
  });

  it("expects no echo while the connection's backend is not known yet", () => {
    const c = clocked();
    expect(c.wake.claimBehind(noDb, undefined, () => c.calls.push("insert"))).toBe(true);
    expect(c.pool.echo(7)).toBe(false);
  });
});
