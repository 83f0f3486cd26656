// Batches job completions: a completion arriving while another write is in flight joins
// the next statement. Idle, it costs no added latency (written at once); under load it
// turns many commits into one.
//
// A completion is the outcome of work already done, so it is not given up lightly: while
// the database is unreachable the batch is kept in memory and written again with backoff
// (the job must not run a second time). A batch refused for its data is split, so one
// unwritable completion fails alone and its caller learns why.
import { isConnectionError, retryWhileDisconnected } from "../../db/connection-error.ts";
import type { Queryable } from "../../db/connections.ts";
import { completeJobs, type AttemptKey } from "../../db/queries/queue.ts";

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

export interface CompletionBatcherOptions {
  db: Queryable;
  maxBatch?: number;
  /** Stops retrying a lost connection (the process is going away); default never. */
  giveUp?(): boolean;
  /** Told of each failed attempt to reach the database. */
  onRetry?(err: unknown): void;
  /** Backoff of the retries (default 100 ms doubling to 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export function createCompletionBatcher(options: CompletionBatcherOptions): CompletionBatcher {
  const { db } = options;
  const maxBatch = options.maxBatch ?? 200;
  let queue: Pending[] = [];
  let inFlight = false;

  const write = (batch: Pending[]) =>
    retryWhileDisconnected(() => completeJobs(db, batch), {
      giveUp: options.giveUp,
      onRetry: options.onRetry,
      baseMs: options.retryBaseMs,
      maxMs: options.retryMaxMs,
    });

  const settle = async (batch: Pending[]) => {
    try {
      const written = await write(batch);
      for (const p of batch) p.resolve(written.has(p.key.id));
    } catch (err) {
      if (batch.length > 1 && !isConnectionError(err)) {
        // One completion the database refuses must not take the others with it.
        for (const p of batch) await settle([p]);
        return;
      }
      for (const p of batch) p.reject(err);
    }
  };

  const flush = async () => {
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    try {
      await settle(batch);
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
