import { describe, expect, it } from "vitest";
import { createFanout, type FanoutTarget } from "./fanout.ts";

interface FakeTarget extends FanoutTarget {
  /** Every write, grouped by cork: one entry per system call the socket would make. */
  writes: string[][];
}

function fakeTarget(buffered = 0): FakeTarget {
  let corked: string[] | undefined;
  const target: FakeTarget = {
    writes: [],
    send(frame) {
      const text = frame.toString();
      if (corked) corked.push(text);
      else target.writes.push([text]);
      return true;
    },
    cork: () => void (corked = []),
    uncork() {
      if (corked?.length) target.writes.push(corked);
      corked = undefined;
    },
    bufferedAmount: () => buffered,
  };
  return target;
}

function manualTurns() {
  const turns: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => void turns.push(fn),
    /** Runs one scheduled turn; false when none was scheduled. */
    step: () => {
      const fn = turns.shift();
      fn?.();
      return fn !== undefined;
    },
  };
}

/** A clock the test moves, and the timers asked of it. */
function manualClock() {
  let t = 1_000;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    later: (fn: () => void, ms: number) => void timers.push({ at: t + ms, fn }),
    timers,
    /** Moves the clock on by `ms`, running the timers that come due. */
    advance(ms: number) {
      t += ms;
      for (const timer of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
  };
}

describe("fanout", () => {
  it("writes a few sockets per turn, each socket's frames in order in one corked write", () => {
    const turns = manualTurns();
    const fanout = createFanout({
      socketsPerTurn: 10,
      maxBufferedBytes: 1e6,
      overflow: () => {},
      schedule: turns.schedule,
    });
    const targets = Array.from({ length: 35 }, () => fakeTarget());
    for (const change of ["a", "b", "c"]) for (const t of targets) fanout.enqueue(t, change);
    // Nothing is written while the changes are being matched: the event loop is not held.
    expect(targets.every((t) => t.writes.length === 0)).toBe(true);
    expect(fanout.pending()).toBe(105);
    expect(turns.step()).toBe(true);
    expect(targets.filter((t) => t.writes.length > 0)).toHaveLength(10);
    expect(targets[0]!.writes).toEqual([["a", "b", "c"]]);
    let more = 1;
    while (turns.step()) more++;
    expect(more).toBe(4);
    for (const t of targets) expect(t.writes).toEqual([["a", "b", "c"]]);
    expect(fanout.pending()).toBe(0);
  });

  it("keeps a direct send behind frames still queued for the socket", () => {
    const turns = manualTurns();
    const fanout = createFanout({
      maxBufferedBytes: 1e6,
      overflow: () => {},
      schedule: turns.schedule,
    });
    const t = fakeTarget();
    fanout.sendInOrder(t, "log 1");
    expect(t.writes).toEqual([["log 1"]]);
    fanout.enqueue(t, "change");
    fanout.sendInOrder(t, "log 2");
    while (turns.step());
    expect(t.writes).toEqual([["log 1"], ["change", "log 2"]]);
  });

  it("reports a socket over the byte limit once and queues nothing more for it", () => {
    const turns = manualTurns();
    const over: FanoutTarget[] = [];
    const fanout = createFanout({
      maxBufferedBytes: 10,
      overflow: (t) => over.push(t),
      schedule: turns.schedule,
    });
    const slow = fakeTarget(8);
    const fine = fakeTarget();
    for (let i = 0; i < 5; i++) {
      fanout.enqueue(slow, "xx");
      fanout.enqueue(fine, "xx");
    }
    while (turns.step());
    expect(over).toEqual([slow]);
    expect(slow.writes).toEqual([]);
    expect(fine.writes).toEqual([["xx", "xx", "xx", "xx", "xx"]]);
  });

  it("writes a busy socket at most once per flush interval, however idle the event loop", () => {
    const turns = manualTurns();
    const clock = manualClock();
    const fanout = createFanout({
      maxBufferedBytes: 1e6,
      overflow: () => {},
      flushIntervalMs: 50,
      schedule: turns.schedule,
      later: clock.later,
      now: clock.now,
    });
    const t = fakeTarget();
    // A change after a quiet spell goes out on the next turn.
    fanout.enqueue(t, "a");
    while (turns.step());
    expect(t.writes).toEqual([["a"]]);
    // Changes every 10 ms, the event loop free between them: they wait for the interval.
    for (const frame of ["b", "c", "d", "e"]) {
      clock.advance(10);
      fanout.enqueue(t, frame);
      while (turns.step());
    }
    expect(t.writes).toEqual([["a"]]);
    expect(fanout.pending()).toBe(4);
    clock.advance(10);
    while (turns.step());
    expect(t.writes).toEqual([["a"], ["b", "c", "d", "e"]]);
    expect(fanout.pending()).toBe(0);
    // Quiet again for longer than the interval: the next change is not held back.
    clock.advance(200);
    fanout.enqueue(t, "f");
    while (turns.step());
    expect(t.writes).toEqual([["a"], ["b", "c", "d", "e"], ["f"]]);
    expect(clock.timers).toEqual([]);
  });

  it("writes a socket queued again during a round in the next round, not this one", () => {
    const turns = manualTurns();
    const clock = manualClock();
    const fanout = createFanout({
      socketsPerTurn: 1,
      maxBufferedBytes: 1e6,
      overflow: () => {},
      flushIntervalMs: 50,
      schedule: turns.schedule,
      later: clock.later,
      now: clock.now,
    });
    const [first, second] = [fakeTarget(), fakeTarget()];
    fanout.enqueue(first, "a1");
    fanout.enqueue(second, "a2");
    turns.step(); // first written
    fanout.enqueue(first, "b1");
    fanout.enqueue(second, "b2"); // joins second's frames of this round
    while (turns.step());
    expect(first.writes).toEqual([["a1"]]);
    expect(second.writes).toEqual([["a2", "b2"]]);
    clock.advance(50);
    while (turns.step());
    expect(first.writes).toEqual([["a1"], ["b1"]]);
    expect(second.writes).toEqual([["a2", "b2"]]);
  });

  it("forgets a closed socket's frames in either round", () => {
    const turns = manualTurns();
    const clock = manualClock();
    const fanout = createFanout({
      maxBufferedBytes: 1e6,
      overflow: () => {},
      schedule: turns.schedule,
      later: clock.later,
      now: clock.now,
    });
    const t = fakeTarget();
    fanout.enqueue(t, "a");
    while (turns.step());
    fanout.enqueue(t, "b");
    fanout.forget(t);
    expect(fanout.pending()).toBe(0);
    clock.advance(100);
    while (turns.step());
    expect(t.writes).toEqual([["a"]]);
  });
});
