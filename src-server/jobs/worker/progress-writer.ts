// Progress of all running jobs written together: while one write commits, the reports
// of other jobs wait and go in one UPDATE, one commit. Each progress write notifies (the
// realtime change), and PostgreSQL commits notifying transactions one at a time, each
// through its WAL flush: twenty jobs reporting four times a second were eighty such
// commits a second, queued with the submits and claims. Alone, a report is written at
// once. If a batch fails, its reports are written one by one.
import type { Queryable } from "../../db/connections.ts";
import { updateProgress, updateProgressMany, type AttemptKey } from "../../db/queries/queue.ts";

export interface ProgressWriter {
  /** Writes the job's progress (guarded by its attempt); false when the attempt is over. */
  write(key: AttemptKey, progress: unknown): Promise<boolean>;
}

interface Waiting {
  key: AttemptKey;
  progress: unknown;
  resolve(written: boolean): void;
}

export function createProgressWriter(options: {
  db: Queryable;
  maxBatch?: number;
}): ProgressWriter {
  const { db } = options;
  const maxBatch = Math.max(1, options.maxBatch ?? 200);
  let waiting: Waiting[] = [];
  let inFlight = false;

  const alone = (w: Waiting) =>
    updateProgress(db, w.key, w.progress).then(w.resolve, () => w.resolve(false));

  const write = async (batch: Waiting[]) => {
    // A job's coalescer has one write in flight at most, but attempts are distinct keys anyway.
    if (batch.length === 1) return alone(batch[0]!);
    let written: Set<string>;
    try {
      written = await updateProgressMany(db, batch);
    } catch {
      await Promise.all(batch.map(alone));
      return;
    }
    for (const w of batch) w.resolve(written.has(w.key.id));
  };

  const pump = async () => {
    inFlight = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, maxBatch);
        waiting = waiting.slice(batch.length);
        await write(batch);
      }
    } finally {
      inFlight = false;
    }
  };

  return {
    write(key, progress) {
      return new Promise<boolean>((resolve) => {
        waiting.push({ key, progress, resolve });
        if (!inFlight) void pump();
      });
    },
  };
}
