// The workers of the previous run of this instance, kept in its data dir. A server (or
// standalone worker) killed without a clean stop leaves its workers registered as active,
// their jobs running, until the worker timeout declares them dead. Restarted on the same
// data dir, it knows they were its own and that their process is gone: it stops them and
// hands their jobs on at once.
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

export const WORKER_STATE_FILE = "workers.json";

export interface WorkerState {
  hostname: string;
  pid: number;
  workerIds: string[];
}

export function workerStatePath(dataDir: string): string {
  return path.join(dataDir, WORKER_STATE_FILE);
}

/** The state a previous run left, or undefined (none, or unreadable). */
export async function readWorkerState(file: string): Promise<WorkerState | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<WorkerState>;
    if (
      typeof value.hostname !== "string" ||
      typeof value.pid !== "number" ||
      !Array.isArray(value.workerIds)
    ) {
      return undefined;
    }
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    return {
      hostname: value.hostname,
      pid: value.pid,
      workerIds: value.workerIds.filter((id) => uuid.test(String(id))),
    };
  } catch {
    return undefined;
  }
}

export async function writeWorkerState(file: string, state: WorkerState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export interface Liveness {
  hostname: string;
  pid: number;
  /** Whether a process with this id runs on this machine. */
  isAlive(pid: number): boolean;
}

/**
 * Whether the run that wrote `state` has certainly ended: it ran on this machine and its
 * process is gone (or is this very process, its id reused). Another machine's state, or a
 * live process sharing the data dir, is left to the worker timeout.
 */
export function previousRunEnded(state: WorkerState, now: Liveness): boolean {
  if (state.hostname !== now.hostname) return false;
  if (state.pid === now.pid) return true;
  return !now.isAlive(state.pid);
}

export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
