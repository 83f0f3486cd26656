import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  previousRunEnded,
  processIsAlive,
  readWorkerState,
  writeWorkerState,
} from "./worker-state.ts";

const ID = "0b6c9f36-3a51-4f55-9d0e-2f8a3e8f1c11";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "worker-state-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("worker state file", () => {
  it("round-trips and ignores what is not a worker id", async () => {
    const file = path.join(dir, "workers.json");
    await writeWorkerState(file, { hostname: "h", pid: 42, workerIds: [ID, "../etc"] });
    expect(await readWorkerState(file)).toEqual({ hostname: "h", pid: 42, workerIds: [ID] });
  });

  it("reads nothing from a missing or damaged file", async () => {
    expect(await readWorkerState(path.join(dir, "missing.json"))).toBeUndefined();
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, "{not json");
    expect(await readWorkerState(bad)).toBeUndefined();
  });
});

describe("previousRunEnded", () => {
  const state = { hostname: "box", pid: 100, workerIds: [ID] };
  const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

  it("is true on this machine when the old process is gone or its id is ours", () => {
    expect(previousRunEnded(state, { hostname: "box", pid: 200, isAlive: alive([]) })).toBe(true);
    expect(previousRunEnded(state, { hostname: "box", pid: 100, isAlive: alive([100]) })).toBe(
      true,
    );
  });

  it("is false while the old process lives, or on another machine", () => {
    expect(previousRunEnded(state, { hostname: "box", pid: 200, isAlive: alive([100]) })).toBe(
      false,
    );
    expect(previousRunEnded(state, { hostname: "other", pid: 200, isAlive: alive([]) })).toBe(
      false,
    );
  });

  it("knows this process is alive", () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(-1)).toBe(false);
  });
});
