// The server's PostgreSQL connections behind the narrow database seam (pg-boss style):
// query() and withTransaction(). Everything else in the server talks to PostgreSQL through a Db.
import pg from "pg";

// int8 (counts) as numbers: counts here never approach 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface QueryOptions {
  /**
   * Runs as a named prepared statement: parsed and planned once per connection instead of
   * on every call. For the hot statements of the queue, whose text never varies.
   */
  prepare?: string;
}

export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
    options?: QueryOptions,
  ): Promise<R[]>;
}

export interface Db extends Queryable {
  withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** A dedicated connection (LISTEN, advisory locks); the caller must release it. */
  connect(): Promise<pg.PoolClient>;
  readonly connectionString: string;
  end(): Promise<void>;
}

export interface CreateDbOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

/**
 * Runs one statement on a pool or a connection (as a named prepared statement when asked)
 * and resolves with its rows. The call sends (or queues) the statement before it returns.
 */
export async function queryRows<R extends object>(
  client: pg.Pool | pg.ClientBase,
  text: string,
  values?: unknown[],
  options?: QueryOptions,
): Promise<R[]> {
  const res = options?.prepare
    ? await client.query<R>({ name: options.prepare, text, values })
    : await client.query<R>(text, values as unknown[]);
  return res.rows;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: <R extends object>(text: string, values?: unknown[], options?: QueryOptions) =>
      queryRows<R>(client, text, values, options),
  };
}

export function createDb(options: CreateDbOptions): Db {
  const connections = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 20,
    application_name: options.applicationName ?? "fluxbase-local",
  });
  // A client losing its connection (PostgreSQL restarted, network gone) must not crash the
  // process: pooled ones report on the pg.Pool, checked-out ones on themselves. Their queries
  // fail and new connections open on demand once the database is back.
  connections.on("error", () => undefined);
  const guarded = new WeakSet<pg.PoolClient>();
  const checkout = async (): Promise<pg.PoolClient> => {
    const client = await connections.connect();
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on("error", () => undefined);
    }
    return client;
  };
  const base = wrap(connections);
  return {
    connectionString: options.connectionString,
    query: base.query,
    async withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await checkout();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        // A connection that cannot even roll back is broken: destroy it, never hand it out again.
        broken = await client.query("ROLLBACK").then(
          () => undefined,
          (e: Error) => e,
        );
        throw err;
      } finally {
        client.release(broken);
      }
    },
    connect: checkout,
    end: () => connections.end(),
  };
}
