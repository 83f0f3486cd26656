// Sandbox processes run at a lower priority than the server (so the API, the database and
// the realtime hub come first when the CPU is short), without lowering the server itself:
// nice 19 and, on Linux, the SCHED_IDLE policy (chrt, from util-linux, is on every Linux
// this runs on).
import os from "node:os";
import { describe, expect, it } from "vitest";
import { SandboxProcess } from "./process.ts";

// Fields of /proc/<pid>/stat: the nice value and the scheduling policy (5 is SCHED_IDLE).
const NICE_FIELD = 19;
const POLICY_FIELD = 41;
const SCHED_IDLE = 5;

describe.runIf(process.platform === "linux")("SandboxProcess priority", () => {
  it("starts the process at the lowest priority (nice 19, SCHED_IDLE) and leaves the server's priority alone", async () => {
    const before = os.getPriority();
    const child = new SandboxProcess({
      denoPath: "/bin/sh",
      args: [
        "-c",
        `cut -d' ' -f${NICE_FIELD},${POLICY_FIELD} /proc/self/stat` +
          '; read line; echo "got $line"',
      ],
      env: { PATH: "/usr/bin:/bin" },
      cwd: os.tmpdir(),
      key: "test",
    });
    const lines: string[] = [];
    child.attach((_stream, line) => lines.push(line));
    child.send("hello");
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(lines).toEqual([`${Math.min(19, before + 19)} ${SCHED_IDLE}`, "got hello"]);
    expect(os.getPriority()).toBe(before);
  });

  it("kills a process and reports a program that cannot start", async () => {
    const sleeper = new SandboxProcess({
      denoPath: "/bin/sleep",
      args: ["60"],
      env: {},
      cwd: os.tmpdir(),
      key: "k",
    });
    sleeper.kill();
    expect(await sleeper.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(sleeper.alive).toBe(false);
    const missing = new SandboxProcess({
      denoPath: "/nonexistent/deno",
      args: [],
      env: {},
      cwd: os.tmpdir(),
      key: "k",
    });
    expect((await missing.exited).spawnError).toMatch(/cannot start deno/);
  });
});
