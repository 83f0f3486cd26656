import { describe, expect, it } from "vitest";
import {
  currentProcessIdentity,
  workerMetadata,
  workerProcessEnded,
  workerProcessOf,
  type LocalProcesses,
} from "./process-identity.ts";

const identity = { hostname: "box", bootId: "boot-1", pidNamespace: "pid:[4026531836]" };
const here = (alive: number[] = []): LocalProcesses => ({
  identity,
  pid: 100,
  isAlive: (pid) => alive.includes(pid),
});

describe("workerProcessEnded", () => {
  it("is true for a process of this machine, boot and PID namespace that is gone", () => {
    expect(workerProcessEnded({ ...identity, pid: 200 }, here())).toBe(true);
  });

  it("is false while the process lives, or for this very process", () => {
    expect(workerProcessEnded({ ...identity, pid: 200 }, here([200]))).toBe(false);
    expect(workerProcessEnded({ ...identity, pid: 100 }, here())).toBe(false);
  });

  it("concludes nothing about another machine, boot or container", () => {
    expect(workerProcessEnded({ ...identity, hostname: "other", pid: 200 }, here())).toBe(false);
    expect(workerProcessEnded({ ...identity, bootId: "boot-2", pid: 200 }, here())).toBe(false);
    expect(
      workerProcessEnded({ ...identity, pidNamespace: "pid:[4026532000]", pid: 200 }, here()),
    ).toBe(false);
  });

  it("concludes nothing where the platform gives no boot id", () => {
    const bare = { hostname: "box" };
    expect(
      workerProcessEnded({ ...bare, pid: 200 }, { identity: bare, pid: 100, isAlive: () => false }),
    ).toBe(false);
  });
});

describe("worker metadata", () => {
  it("round-trips, and names no process when it lacks a host or an id", () => {
    expect(workerProcessOf(workerMetadata(identity, 200))).toEqual({ ...identity, pid: 200 });
    expect(workerProcessOf({ hostname: "box" })).toBeUndefined();
    expect(workerProcessOf(null)).toBeUndefined();
    // Rows written before boot ids were recorded: a host and a pid, nothing more.
    expect(workerProcessOf({ hostname: "box", pid: 7 })).toEqual({
      hostname: "box",
      pid: 7,
      bootId: undefined,
      pidNamespace: undefined,
    });
  });

  it("reads this machine's identity", () => {
    const mine = currentProcessIdentity();
    expect(mine.hostname.length).toBeGreaterThan(0);
    if (process.platform === "linux") expect(mine.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
