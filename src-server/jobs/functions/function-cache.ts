// Functions by id, cached per version: a claim returns the function's current version,
// so the cache is re-read only when the function changed.
import type { Db } from "../../db/connections.ts";
import { findFunctionById, type FunctionRow } from "../../db/queries/functions.ts";

export interface FunctionCache {
  get(id: string, version: number | null): Promise<FunctionRow | undefined>;
}

export function createFunctionCache(db: Db): FunctionCache {
  const cache = new Map<string, FunctionRow>();
  return {
    async get(id, version) {
      const hit = cache.get(id);
      if (hit && version !== null && hit.version === version) return hit;
      const row = await findFunctionById(db, id);
      if (row) cache.set(id, row);
      else cache.delete(id);
      return row;
    },
  };
}
