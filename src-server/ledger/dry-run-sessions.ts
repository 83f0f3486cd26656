// The held transaction of a dry run: every data-API request a dry-run job makes runs in one
// transaction on one connection, each request inside a savepoint and as the request's own
// database role, so the run reads its own writes; the transaction is rolled back once the
// attempt is no longer running (checked every `sweepMs`) or the server stops.
import type pg from "pg";
import type { Caller } from "../auth/caller.ts";
import type { Db, Queryable } from "../db/connections.ts";
import { actAsCaller, type PgRole } from "../db/session.ts";
import type { Logger } from "../logger.ts";

export interface DryRunSessionsOptions {
  db: Db;
  logger: Logger;
  /** How often open sessions check that their attempt still runs (default 300 ms). */
  sweepMs?: number;
}

export interface DryRunSessions {
  /** Runs `fn` as `caller` inside the held transaction of the caller's attempt. */
  run<T>(
    caller: Caller,
    attempt: { jobId: string; attempt: number },
    fn: (tx: Queryable, pgRole: PgRole) => Promise<T>,
  ): Promise<T>;
  /** Open sessions (for tests and the effects view). */
  size(): number;
  /** Rolls every session back. */
  close(): Promise<void>;
}

interface Held {
  jobId: string;
  attempt: number;
  client: Promise<pg.PoolClient>;
  /** Requests of one run are serialized: one connection, one statement at a time. */
  chain: Promise<unknown>;
}

function queryable(client: pg.PoolClient): Queryable {
  return {
    async query<R extends object>(text: string, values?: unknown[]) {
      return (await client.query<R>(text, values as unknown[])).rows as R[];
    },
  };
}

export function createDryRunSessions({
  db,
  logger,
  sweepMs = 300,
}: DryRunSessionsOptions): DryRunSessions {
  const held = new Map<string, Held>();
  let timer: NodeJS.Timeout | undefined;

  const end = async (key: string, h: Held) => {
    held.delete(key);
    await h.chain.catch(() => undefined);
    const client = await h.client.catch(() => undefined);
    if (!client) return;
    const broken = await client.query("ROLLBACK").then(
      () => undefined,
      (e: Error) => e,
    );
    client.release(broken);
  };

  const sweep = async () => {
    if (held.size === 0) return;
    const ids = [...new Set([...held.values()].map((h) => h.jobId))];
    try {
      const rows = await db.query<{ id: string; retry_count: number }>(
        "SELECT id, retry_count FROM jobs.queue WHERE id = ANY ($1::uuid[]) AND status = 'running'",
        [ids],
      );
      const live = new Set(rows.map((r) => `${r.id}:${r.retry_count}`));
      await Promise.all([...held].filter(([key]) => !live.has(key)).map(([key, h]) => end(key, h)));
    } catch (err) {
      logger.warn("dry run sweep failed", { error: (err as Error).message });
    }
  };

  const schedule = () => {
    if (timer || held.size === 0) return;
    timer = setTimeout(() => {
      void sweep().finally(() => {
        timer = undefined;
        schedule();
      });
    }, sweepMs);
    timer.unref();
  };

  const open = (jobId: string, attempt: number): Held => {
    const key = `${jobId}:${attempt}`;
    let h = held.get(key);
    if (!h) {
      const client = db.connect().then(async (c) => {
        try {
          await c.query("BEGIN");
          return c;
        } catch (err) {
          c.release(err as Error);
          throw err;
        }
      });
      h = { jobId, attempt, client, chain: client };
      held.set(key, h);
      schedule();
    }
    return h;
  };

  return {
    run(caller, { jobId, attempt }, fn) {
      const h = open(jobId, attempt);
      const step = h.chain
        .catch(() => undefined)
        .then(async () => {
          const client = await h.client;
          await client.query("SAVEPOINT dry_run_request");
          try {
            const tx = queryable(client);
            const value = await fn(tx, await actAsCaller(tx, caller));
            await client.query("RELEASE SAVEPOINT dry_run_request");
            return value;
          } catch (err) {
            await client.query("ROLLBACK TO SAVEPOINT dry_run_request");
            await client.query("RELEASE SAVEPOINT dry_run_request");
            throw err;
          }
        });
      h.chain = step;
      return step;
    },
    size: () => held.size,
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.all([...held].map(([key, h]) => end(key, h)));
    },
  };
}
