import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeProcess } from "../../../test/helpers/fake-sandbox-process.ts";
import { IdleProcesses, reuseKey } from "./reuse.ts";

const user = { id: "u1", role: "authenticated" };
const spec = { functionId: "f1", functionVersion: 1, user };

describe("reuseKey", () => {
  it("differs by command line, function, version, code, user id and role", () => {
    const base = reuseKey("args", spec, "a");
    const others = [
      reuseKey("args2", spec, "a"),
      reuseKey("args", { ...spec, functionId: "f2" }, "a"),
      reuseKey("args", { ...spec, functionVersion: 2 }, "a"),
      reuseKey("args", spec, "b"),
      reuseKey("args", { ...spec, user: { ...user, id: "u2" } }, "a"),
      reuseKey("args", { ...spec, user: { ...user, role: "admin" } }, "a"),
      reuseKey("args", { ...spec, user: null }, "a"),
    ];
    expect(new Set([base, ...others]).size).toBe(8);
    expect(reuseKey("args", { ...spec, user: { ...user, email: "x@y" } }, "a")).toBe(base);
  });
});

describe("IdleProcesses", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands back the most recently idle live process of the key only", () => {
    const idle = new IdleProcesses({ idleMs: 10_000, maxIdle: 8 });
    const [older, newer, other] = [fakeProcess(), fakeProcess(), fakeProcess()];
    idle.release("a", older);
    idle.release("a", newer);
    idle.release("b", other);
    expect(idle.take("a")).toBe(newer);
    expect(idle.take("a")).toBe(older);
    expect(idle.take("a")).toBeUndefined();
    other.alive = false;
    expect(idle.take("b")).toBeUndefined();
  });

  it("stops waiting for a process's exit once it is taken, however often it goes idle", () => {
    const idle = new IdleProcesses({ idleMs: 10_000, maxIdle: 8 });
    const process = fakeProcess();
    for (let i = 0; i < 100; i++) {
      idle.release("a", process);
      expect(idle.take("a")).toBe(process);
    }
    expect(process.listenerCount()).toBe(0);
    idle.release("a", process);
    expect(process.listenerCount()).toBe(1);
  });

  it("ends a process idle longer than idleMs, and the oldest beyond maxIdle", () => {
    vi.useFakeTimers();
    const idle = new IdleProcesses({ idleMs: 1_000, maxIdle: 2 });
    const [first, second, third] = [fakeProcess(), fakeProcess(), fakeProcess()];
    idle.release("a", first);
    idle.release("b", second);
    idle.release("c", third);
    expect([first.killed, second.killed, third.killed]).toEqual([true, false, false]);
    vi.advanceTimersByTime(999);
    expect(idle.size).toBe(2);
    vi.advanceTimersByTime(1);
    // Timed out together, they end one at a time.
    expect([second.killed, third.killed]).toEqual([true, false]);
    expect(idle.size).toBe(1);
    vi.advanceTimersByTime(100);
    expect(third.killed).toBe(true);
    expect(idle.size).toBe(0);
  });

  it("ends processes that time out together one at a time; one waiting its turn can be taken", () => {
    vi.useFakeTimers();
    const idle = new IdleProcesses({ idleMs: 1_000, maxIdle: 8, retireSpacingMs: 50 });
    const burst = Array.from({ length: 5 }, () => fakeProcess());
    for (const p of burst) idle.release("a", p);
    const killed = () => burst.filter((p) => p.killed).length;
    vi.advanceTimersByTime(1_000);
    expect(killed()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(killed()).toBe(2);
    // The most recently idle is still there, and a job may take it.
    expect(idle.take("a")).toBe(burst[4]);
    vi.advanceTimersByTime(100);
    expect(killed()).toBe(4);
    vi.advanceTimersByTime(1_000);
    expect(killed()).toBe(4);
    expect(burst[4]!.killed).toBe(false);
    expect(idle.size).toBe(0);
  });

  it("close() ends every idle process and refuses new ones", async () => {
    const idle = new IdleProcesses({ idleMs: 10_000, maxIdle: 8 });
    const kept = fakeProcess();
    idle.release("a", kept);
    await idle.close();
    const late = fakeProcess();
    idle.release("a", late);
    expect([kept.killed, late.killed]).toEqual([true, true]);
  });
});
