// Leases in realtime.listeners: the row triggers of a table are switched on, and build and
// send notifications, only while some hub holds a live lease on it (migration 0016). This hub holds one lease per
// table that at least one of its subscriptions needs, renews them all every `renewMs`
// (expires_at = now() + ttl), and deletes them when the last subscriber leaves and on close.
// Every write goes through one chain, so a delete never overtakes a later upsert.
import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/connections.ts";
import { coerceError } from "../errors.ts";
import type { Logger } from "../logger.ts";

export interface LeaseKeeperOptions {
  db: Queryable;
  logger: Logger;
  instanceId?: string;
  ttlSeconds?: number;
  renewMs?: number;
}

export interface LeaseKeeper {
  readonly instanceId: string;
  /** Counts one more user of the table; resolves once the lease is in the database. */
  acquire(schema: string, table: string): Promise<void>;
  release(schema: string, table: string): void;
  /** Whether this hub currently holds a lease on the table. */
  holds(schema: string, table: string): boolean;
  /** Stops renewing and deletes this hub's leases. */
  close(): Promise<void>;
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { db, logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const ttl = options.ttlSeconds ?? 30;
  const users = new Map<string, number>();
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;

  const run = <T>(op: () => Promise<T>): Promise<T> => {
    const next = chain.then(op);
    chain = next.catch(() => undefined);
    return next;
  };

  const split = (key: string) => key.split(".") as [string, string];

  const upsert = (keys: string[]) =>
    db.query(
      `INSERT INTO realtime.listeners (instance_id, schema_name, table_name, expires_at)
       SELECT $1, s, t, now() + make_interval(secs => $4) FROM unnest($2::text[], $3::text[]) AS k(s, t)
       ON CONFLICT (schema_name, table_name, instance_id) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [instanceId, keys.map((k) => split(k)[0]), keys.map((k) => split(k)[1]), ttl],
    );

  /** Switches the realtime triggers to match the leases (migration 0016). */
  const syncTriggers = () => db.query("SELECT realtime.sync_triggers()");

  const renew = () =>
    run(async () => {
      if (closed) return;
      if (users.size > 0) await upsert([...users.keys()]);
      // Leases of hubs that died without deleting theirs (their triggers go off below).
      await db.query(
        "DELETE FROM realtime.listeners WHERE expires_at < now() - interval '5 minutes'",
      );
      await syncTriggers();
    }).catch((err) =>
      logger.warn("realtime: renewing listener leases failed", { error: coerceError(err).message }),
    );

  const timer = setInterval(() => void renew(), options.renewMs ?? 10_000);
  timer.unref();

  return {
    instanceId,
    acquire(schema, table) {
      const key = `${schema}.${table}`;
      const count = users.get(key) ?? 0;
      users.set(key, count + 1);
      // The first user writes the lease; later ones wait for that write (same chain).
      return run(async () => {
        if (closed || count > 0) return;
        await upsert([key]);
        await syncTriggers();
      });
    },
    release(schema, table) {
      const key = `${schema}.${table}`;
      const count = users.get(key) ?? 0;
      if (count > 1) return void users.set(key, count - 1);
      if (count === 0) return;
      users.delete(key);
      void run(async () => {
        if (users.has(key)) return;
        await db.query(
          "DELETE FROM realtime.listeners WHERE instance_id = $1 AND schema_name = $2 AND table_name = $3",
          [instanceId, schema, table],
        );
        await syncTriggers();
      }).catch((err) =>
        logger.warn("realtime: deleting a listener lease failed", {
          error: coerceError(err).message,
        }),
      );
    },
    holds: (schema, table) => users.has(`${schema}.${table}`),
    async close() {
      closed = true;
      clearInterval(timer);
      users.clear();
      await run(async () => {
        await db.query("DELETE FROM realtime.listeners WHERE instance_id = $1", [instanceId]);
        await syncTriggers();
      }).catch((err) =>
        logger.warn("realtime: deleting listener leases failed", {
          error: coerceError(err).message,
        }),
      );
    },
  };
}
