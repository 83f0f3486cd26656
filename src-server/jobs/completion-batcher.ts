// Batches job completions: a completion arriving while another write is in flight joins
// the next statement. Idle, it costs no added latency (written at once); under load it
// turns many commits into one.
import type { Db } from "../db/pool.ts";
import { completeJobs, type AttemptKey } from "../db/queries/queue.ts";

interface Pending {
  key: AttemptKey;
  result: unknown;
  progress: unknown;
  resolve(written: boolean): void;
  reject(err: unknown): void;
}

export interface CompletionBatcher {
  /** Resolves with whether the row was still this attempt's to complete. */
  complete(key: AttemptKey, result: unknown, progress: unknown): Promise<boolean>;
}

export function createCompletionBatcher(db: Db, maxBatch = 200): CompletionBatcher {
  let queue: Pending[] = [];
  let inFlight = false;

  const flush = async () => {
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    try {
      const written = await completeJobs(db, batch);
      for (const p of batch) p.resolve(written.has(p.key.id));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      inFlight = false;
      void flush();
    }
  };

  return {
    complete(key, result, progress) {
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ key, result, progress, resolve, reject });
        void flush();
      });
    },
  };
}
