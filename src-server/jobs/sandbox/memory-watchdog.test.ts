import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../test/helpers/wait.ts";
import { createMemoryWatcher, privateResidentBytes, watchMemory } from "./memory-watchdog.ts";

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

const MB = 1024 * 1024;

describe.runIf(process.platform === "linux")(
  "createMemoryWatcher (readings in its own thread)",
  () => {
    const cleanups: (() => unknown)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    /** A real process that allocates (and touches) `mb` more megabytes on each line it reads. */
    async function growingProcess(mb: number) {
      const child = spawn(
        process.execPath,
        [
          "-e",
          `const hoard = []; process.stdin.on("data", () => { hoard.push(Buffer.alloc(${mb} * 1024 * 1024, 1)); console.log("grown"); }); console.log("ready");`,
        ],
        { stdio: ["pipe", "pipe", "inherit"] },
      );
      cleanups.push(() => child.kill("SIGKILL"));
      child.stdout.setEncoding("utf8");
      await once(child.stdout, "data");
      return child;
    }

    it("reports a process once it grows over its limit, with its pid known only after the start, and never a stopped watch", async () => {
      const child = await growingProcess(160);
      const watcher = createMemoryWatcher();
      cleanups.push(() => watcher.close());
      const fired: Record<string, number[]> = { limit: [], stopped: [], probe: [] };
      let pidAsked = 0;
      const limitBytes = 140 * MB;
      watcher.watch({
        pid: () => (++pidAsked < 3 ? undefined : child.pid),
        limitBytes,
        intervalMs: 20,
        onExceeded: (bytes) => fired.limit!.push(bytes),
      });
      // Checked four times as often: had stopping it not held, it would report first.
      const stop = watcher.watch({
        pid: child.pid!,
        limitBytes,
        intervalMs: 5,
        onExceeded: (bytes) => fired.stopped!.push(bytes),
      });
      stop();
      // A limit every process is over: once it fires, the thread has read the process.
      watcher.watch({
        pid: () => (pidAsked < 3 ? undefined : child.pid),
        limitBytes: 1,
        intervalMs: 20,
        onExceeded: (bytes) => fired.probe!.push(bytes),
      });
      await waitFor(() => (fired.probe!.length > 0 ? true : undefined), { intervalMs: 5 });
      expect(fired.limit).toEqual([]);

      child.stdin.write("grow\n");
      await waitFor(() => (fired.limit!.length > 0 ? true : undefined), { intervalMs: 5 });
      expect(fired.limit).toHaveLength(1);
      expect(fired.limit![0]).toBeGreaterThan(limitBytes);
      expect(fired.stopped).toEqual([]);
      expect(fired.probe).toHaveLength(1);
    });

    it("goes on from the main thread when its thread is gone", async () => {
      const child = await growingProcess(160);
      const watcher = createMemoryWatcher();
      const fired: number[] = [];
      watcher.watch({
        pid: child.pid!,
        limitBytes: 140 * MB,
        intervalMs: 10,
        onExceeded: (bytes) => fired.push(bytes),
      });
      // Both handed to the thread together: once the probe fires, the thread holds the watch.
      let probed = false;
      watcher.watch({
        pid: child.pid!,
        limitBytes: 1,
        intervalMs: 10,
        onExceeded: () => (probed = true),
      });
      await waitFor(() => (probed ? true : undefined), { intervalMs: 5 });
      await watcher.close();
      child.stdin.write("grow\n");
      await waitFor(() => (fired.length > 0 ? true : undefined), { intervalMs: 5 });
      expect(fired[0]).toBeGreaterThan(140 * MB);
    });
  },
);
