// What a phase of bench/load.ts cost, in CPU time and system calls rather than wall time,
// so the figures stay meaningful on a machine shared with other work (Linux /proc): the
// server's main thread (the event loop every request waits for) apart from its other
// threads, PostgreSQL and the Deno processes (bench/cpu.ts), the load generators' own
// processes, and the server's write system calls (each socket write is one).
import { readFileSync } from "node:fs";
import { cpuSince, cpuSnapshot, ownCpuMs, readStatFields, type CpuSnapshot } from "./cpu.ts";

/** utime + stime of /proc/<path>/stat, in ms (0 when the process is gone). */
function statCpuMs(path: string): number {
  const fields = readStatFields(`/proc/${path}/stat`);
  return fields ? ownCpuMs(fields) : 0;
}

/**
 * The main thread's time on a CPU and time spent runnable but waiting for one, in ms
 * (/proc schedstat, nanoseconds): how much of its delay is other work taking the cores.
 */
function mainThreadSchedule(): { ranMs: number; waitedMs: number } {
  try {
    const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8")
      .trim()
      .split(" ")
      .map(Number);
    return { ranMs: (ran ?? 0) / 1e6, waitedMs: (waited ?? 0) / 1e6 };
  } catch {
    return { ranMs: 0, waitedMs: 0 };
  }
}

/** Write system calls this process made (write, writev, sendmsg on sockets count too). */
export function writeCalls(): number {
  try {
    const text = readFileSync("/proc/self/io", "utf8");
    return Number(/^syscw: (\d+)$/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export interface PhaseCost {
  /** Server, PostgreSQL and Deno (bench/cpu.ts). */
  stack: CpuSnapshot;
  /** The server's main thread: the event loop. */
  mainThreadMs: number;
  /** Time the main thread was runnable but waited for a CPU (its scheduling delay). */
  mainThreadWaitedMs: number;
  /** Each load generator process by name. */
  generatorsMs: Record<string, number>;
  serverWriteCalls: number;
}

export interface PhaseMeter {
  /** What the phase cost since the meter was started. */
  stop(): PhaseCost;
}

/** Starts metering; `generators` are the load generator processes by name. */
export function meterPhase(generators: Record<string, number | undefined>): PhaseMeter {
  const main = () => statCpuMs(`self/task/${process.pid}`);
  const gen = () =>
    Object.fromEntries(
      Object.entries(generators).map(([name, pid]) => [name, pid ? statCpuMs(String(pid)) : 0]),
    );
  const stack = cpuSnapshot();
  const mainAt = main();
  const scheduleAt = mainThreadSchedule();
  const genAt = gen();
  const writesAt = writeCalls();
  return {
    stop() {
      const genNow = gen();
      return {
        stack: cpuSince(stack),
        mainThreadMs: main() - mainAt,
        mainThreadWaitedMs: mainThreadSchedule().waitedMs - scheduleAt.waitedMs,
        generatorsMs: Object.fromEntries(
          Object.entries(genNow).map(([name, ms]) => [name, ms - (genAt[name] ?? 0)]),
        ),
        serverWriteCalls: writeCalls() - writesAt,
      };
    },
  };
}
