// A data-API write of a job as a ledger entry, and the statement that reads its keys.
import type { TableInfo } from "../data/catalogue.ts";
import type { Queryable } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import type { Effect } from "./effects-queries.ts";

export interface WrittenRows {
  affected: number;
  keys?: Record<string, unknown>[] | null;
}

export function tableEffect(
  method: string,
  resolution: "merge" | "ignore" | undefined,
  table: TableInfo,
  written: WrittenRows,
): Effect {
  const operation =
    method === "POST"
      ? resolution
        ? "upsert"
        : "insert"
      : method === "PATCH"
        ? "update"
        : "delete";
  return {
    operation,
    kind: "table",
    target: `${table.schema}.${table.name}`,
    rowCount: written.affected,
    keys: written.keys ?? [],
  };
}

const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Runs a write asking for its primary keys. Returning them needs the right to read them
 * (SELECT on the columns and the table's SELECT policies): a caller who may write but not
 * read the rows gets its write done all the same, without the keys.
 */
export async function withKeysOrWithout<T>(
  tx: Queryable,
  primaryKey: string[],
  run: (keys: string[] | undefined) => Promise<T>,
): Promise<T> {
  if (primaryKey.length === 0) return run(undefined);
  await tx.query("SAVEPOINT ledger_keys");
  try {
    const value = await run(primaryKey);
    await tx.query("RELEASE SAVEPOINT ledger_keys");
    return value;
  } catch (err) {
    await tx.query("ROLLBACK TO SAVEPOINT ledger_keys");
    await tx.query("RELEASE SAVEPOINT ledger_keys");
    // The data API hands PostgreSQL's refusal on as a 403 AppError carrying the SQLSTATE.
    const state = err instanceof AppError ? err.extra.code : (err as { code?: string }).code;
    if (state !== INSUFFICIENT_PRIVILEGE) throw err;
    return run(undefined);
  }
}
