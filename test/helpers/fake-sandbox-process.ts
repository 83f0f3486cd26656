// A stand-in for a sandbox process in unit tests of the pools that hold them
// (src-server/jobs/sandbox/reuse.ts, warm-processes.ts): alive until killed, then exited.
import type { SandboxProcess } from "../../src-server/jobs/sandbox/process.ts";

export type FakeProcess = SandboxProcess & {
  killed: boolean;
  alive: boolean;
  listenerCount(): number;
};

export function fakeProcess(): FakeProcess {
  let exit: () => void = () => {};
  const listeners = new Set<() => void>();
  const fake = {
    alive: true,
    killed: false,
    exited: new Promise((resolve) => {
      exit = () => resolve({ code: null, signal: "SIGKILL" });
    }).then((value) => {
      for (const listener of listeners) listener();
      return value;
    }),
    onExit(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Exit listeners still registered (a process that ran many jobs keeps none of them). */
    listenerCount: () => listeners.size,
    kill() {
      fake.alive = false;
      fake.killed = true;
      exit();
    },
  };
  return fake as unknown as FakeProcess;
}
