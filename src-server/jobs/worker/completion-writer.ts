// How a finished job's completion is written: the worker pool's one completion path. A
// completion rides its worker's next claim (the claim statement writes it, then claims:
// db/queries/claim.ts), or, when no claim is due, goes in a batched statement of its own.
// Both run the same guarded UPDATE (db/queries/queue.ts completeAttemptsSql): a row is
// completed only while it is still that attempt's.
//
// Why ride the claim. A worker whose job finished has a free slot, so a claim is due
// anyway; writing the completion in that statement makes one round trip and one commit
// serve both. The alternatives weighed (bench/queue-path.ts measures this path):
// - A batched UPDATE of its own, then the claim: two statements and two commits (WAL
//   flushes) per finished job, which is most of a no-op job's cost on the queue path.
//   Under load a batch folds many completions into one commit, but every claim still
//   commits on its own, and a worker of one slot has nothing to fold. Tried on the queue
//   path: about 0.4 ms of server CPU per job against about 0.25 ms riding the claim.
// - Both in one explicit transaction: one commit, but four round trips (BEGIN, complete,
//   claim, COMMIT), with the completed rows locked across them.
// - A PL/pgSQL function doing both: one round trip, but a second claim path to keep in
//   step with claim.ts, and PL/pgSQL's own call cost (about a third more per claim).
// What riding costs, case by case:
// - Latency when the queue is quiet: none. The claim goes out at once; only while the worker's previous
//   claim is in flight does a completion wait for it (one round trip at most), and it
//   then rides the next claim together with every completion that arrived meanwhile.
// - A failed claim (database unreachable, statement refused): the completions it carried
//   are written alone, retried while the database is unreachable, since a job whose
//   outcome is lost would run a second time. The claim itself waits for the next wake.
// - A completion the database cannot take: its value is serialised as it is queued, so
//   one JSON cannot hold (a BigInt, a cycle) fails alone at once, before it joins a claim,
//   and costs its worker no claim (execute.ts fails the job saying why). A batch written
//   alone that the database refuses is split, so one bad completion fails alone there too.
// - No claim due (the pool is stopping, or the worker was replaced after being declared
//   dead): written alone. Alone, a completion arriving while a batch is in flight joins
//   the next batch, so a lone one waits for nothing and under load many commits become one.
import { isConnectionError, retryWhileDisconnected } from "../../db/connection-error.ts";
import type { Queryable } from "../../db/connections.ts";
import {
  completeJobs,
  serializeCompletion,
  type AttemptKey,
  type SerializedCompletion,
} from "../../db/queries/queue.ts";

/** A completion waiting for a claim to carry it, or for a statement of its own. */
export interface WaitingCompletion {
  readonly completion: SerializedCompletion;
  /** Settles once it is written or refused (only this module settles it). */
  readonly settled: Promise<void>;
  resolve(written: boolean): void;
  reject(err: unknown): void;
}

export interface CompletionWriterOptions {
  db: Queryable;
  /**
   * Hands a completion to its worker's next claim (claim-loop.ts: the job's slot is freed
   * and a claim made, or asked for when one is in flight). False when no claim is due: the
   * completion is written alone.
   */
  joinClaim(waiting: WaitingCompletion): boolean;
  /** The most completions in one statement written alone (default 200). */
  maxBatch?: number;
  /** Stops retrying a lost connection (the process is going away); default never. */
  giveUp?(): boolean;
  /** Told of each failed try to reach the database. */
  onRetry?(err: unknown): void;
  /** Backoff of the retries (default 100 ms doubling to 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface CompletionWriter {
  /**
   * Writes a job's completion. Resolves with whether the row was still this attempt's to
   * complete; rejects when the completion cannot be written (its value or the database
   * refuses it; a lost database is retried until the pool gives up).
   */
  complete(key: AttemptKey, result: unknown, progress: unknown): Promise<boolean>;
  /**
   * Runs a claim carrying `waiting` and settles them by its answer. When the claim fails
   * they are written alone, and its error is thrown on.
   */
  ride<T extends { completed: Set<string> }>(
    waiting: WaitingCompletion[],
    claim: (completions: SerializedCompletion[]) => Promise<T>,
  ): Promise<T>;
  /** Writes `waiting` with no claim to carry them; resolves once each is settled. */
  writeAlone(waiting: WaitingCompletion[]): Promise<void>;
}

const ignore = () => undefined;

export function createCompletionWriter(options: CompletionWriterOptions): CompletionWriter {
  const { db } = options;
  const maxBatch = options.maxBatch ?? 200;
  let queue: WaitingCompletion[] = [];
  let inFlight = false;

  const write = (batch: WaitingCompletion[]) =>
    retryWhileDisconnected(
      () =>
        completeJobs(
          db,
          batch.map((w) => w.completion),
        ),
      {
        giveUp: options.giveUp,
        onRetry: options.onRetry,
        baseMs: options.retryBaseMs,
        maxMs: options.retryMaxMs,
      },
    );

  const settle = async (batch: WaitingCompletion[]) => {
    try {
      const written = await write(batch);
      for (const w of batch) w.resolve(written.has(w.completion.key.id));
    } catch (err) {
      if (batch.length > 1 && !isConnectionError(err)) {
        // One completion the database refuses must not take the others with it.
        for (const w of batch) await settle([w]);
        return;
      }
      for (const w of batch) w.reject(err);
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

  const writeAlone = async (waiting: WaitingCompletion[]) => {
    queue.push(...waiting);
    void flush();
    await Promise.all(waiting.map((w) => w.settled));
  };

  return {
    complete(key, result, progress) {
      let completion: SerializedCompletion;
      try {
        completion = serializeCompletion({ key, result, progress });
      } catch (err) {
        return Promise.reject(err);
      }
      let resolve!: (written: boolean) => void;
      let reject!: (err: unknown) => void;
      const written = new Promise<boolean>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const waiting: WaitingCompletion = {
        completion,
        settled: written.then(ignore, ignore),
        resolve,
        reject,
      };
      if (!options.joinClaim(waiting)) void writeAlone([waiting]);
      return written;
    },

    async ride(waiting, claim) {
      let answer;
      try {
        answer = await claim(waiting.map((w) => w.completion));
      } catch (err) {
        void writeAlone(waiting);
        throw err;
      }
      for (const w of waiting) w.resolve(answer.completed.has(w.completion.key.id));
      return answer;
    },

    writeAlone,
  };
}
