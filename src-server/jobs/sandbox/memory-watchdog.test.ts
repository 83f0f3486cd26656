import { describe, expect, it } from "vitest";
import { waitFor } from "../../../test/helpers/wait.ts";
import { privateResidentBytes, watchMemory } from "./memory-watchdog.ts";

describe("privateResidentBytes", () => {
  it("counts anonymous and shared-memory pages, not the mapped binary", () => {
    const status =
      "VmRSS:\t   44556 kB\nRssAnon:\t   15268 kB\nRssFile:\t   29288 kB\nRssShmem:\t       4 kB\n";
    expect(privateResidentBytes(status)).toBe((15268 + 4) * 1024);
  });

  it("falls back on VmRSS, and is undefined without either", () => {
    expect(privateResidentBytes("VmRSS:\t 100 kB\n")).toBe(100 * 1024);
    expect(privateResidentBytes("Name:\tdeno\n")).toBeUndefined();
  });
});

describe("watchMemory", () => {
  it("fires once, on the first reading over the limit, and stops", async () => {
    const readings = [10, 20, 200, 300];
    const fired: number[] = [];
    watchMemory({
      pid: 1,
      limitBytes: 100,
      intervalMs: 1,
      read: () => readings.shift() ?? 400,
      onExceeded: (bytes) => fired.push(bytes),
    });
    await waitFor(() => (readings.length <= 1 ? true : undefined));
    expect(fired).toEqual([200]);
  });

  it("stop() ends the watching before anything fires", () => {
    let reads = 0;
    const stop = watchMemory({
      pid: 1,
      limitBytes: 100,
      read: () => {
        reads += 1;
        return 1;
      },
      onExceeded: () => {
        throw new Error("must not fire");
      },
    });
    stop();
    expect(reads).toBe(0);
  });
});
