// Runs `fn` in one transaction; with dryRun the transaction is rolled back and `fn`'s
// result returned anyway: the exact plan of a change, computed by the real statements.
import type { Db, Queryable } from "./connections.ts";

class RolledBack {
  constructor(readonly value: unknown) {}
}

export async function inTransaction<T>(
  db: Db,
  dryRun: boolean,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  try {
    return await db.withTransaction(async (tx) => {
      const value = await fn(tx);
      if (dryRun) throw new RolledBack(value);
      return value;
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.value as T;
    throw err;
  }
}
