// What one job costs, by part, for the bench's budget table: database round trips per
// job counted by what they are for (a wrapped Db: counts do not depend on the machine's
// load), and the time the server's main thread spends in the sandbox's synchronous
// start (context, tokens, command line, the message on stdin). The rest of the table
// is CPU read from /proc per phase (bench/cpu.ts).
import type { Db, Queryable } from "../src-server/db/connections.ts";
import type { JobRuntime } from "../src-server/jobs/worker/runtime.ts";

/** What a statement is for, from its prepared name or its text. */
export function statementKind(text: string, prepare?: string): string {
  if (prepare?.endsWith("_after_completions")) return "claim with completions";
  if (prepare?.startsWith("fluxbase_claim") || /SKIP LOCKED/i.test(text)) return "claim";
  if (prepare === "fluxbase_complete_jobs") return "completion";
  if (/secrets\.(secrets|function_secrets)/i.test(text)) return "secrets";
  if (/logging\.entries/i.test(text)) return "logs";
  if (/\bprogress\b/i.test(text) && /^\s*(UPDATE|WITH)/i.test(text)) return "progress";
  if (/jobs\.functions|function_versions/i.test(text)) return "function lookup";
  if (/jobs\.workers/i.test(text)) return "worker heartbeat";
  return "other";
}

export interface CountingDb extends Db {
  counts(): Map<string, number>;
  reset(): void;
}

export function countingDb(db: Db): CountingDb {
  let counts = new Map<string, number>();
  const note = (text: string, prepare?: string) => {
    const kind = statementKind(text, prepare);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  };
  const wrap = (target: Queryable): Queryable => ({
    query(text, values, options) {
      note(text, options?.prepare);
      return target.query(text, values, options);
    },
  });
  return {
    ...wrap(db),
    withTransaction: (fn) => db.withTransaction((tx) => fn(wrap(tx))),
    connect: () => db.connect(),
    get connectionString() {
      return db.connectionString;
    },
    end: () => db.end(),
    counts: () => counts,
    reset() {
      counts = new Map();
    },
  } as CountingDb;
}

export interface TimedRuntime extends JobRuntime {
  /** Milliseconds spent in start() itself, summed. */
  startMs(): number;
  /** The same for the starts that reused a process (one that had run the same function). */
  reusedStarts(): { count: number; ms: number };
  reset(): void;
}

/** Times the synchronous part of each start (off the bench, nothing is timed). */
export function timedRuntime(runtime: JobRuntime): TimedRuntime {
  let total = 0;
  let reused = { count: 0, ms: 0 };
  return {
    start(spec, callbacks) {
      const t = performance.now();
      const handle = runtime.start(spec, callbacks);
      const ms = performance.now() - t;
      total += ms;
      // The sandbox's handle says whether the process was reused (jobs/sandbox/process-run.ts).
      if ((handle as { reused?: boolean }).reused) {
        reused.count += 1;
        reused.ms += ms;
      }
      return handle;
    },
    close: () => runtime.close(),
    startMs: () => total,
    reusedStarts: () => reused,
    reset() {
      total = 0;
      reused = { count: 0, ms: 0 };
    },
  };
}
