// A run pinned to an older version of its function (a replay with the code that run used)
// runs that version's kept code (jobs.function_versions, migration 0018); the claim
// answers the pinned version, so only such runs, whose version is not the current one,
// cost a lookup.
import type { Queryable } from "../../db/connections.ts";
import type { FunctionRow } from "../../db/queries/functions.ts";
import { findFunctionVersion } from "../../db/queries/replays.ts";

export async function codeOfVersion(
  db: Queryable,
  fn: FunctionRow | undefined,
  version: number | null,
): Promise<FunctionRow | undefined> {
  if (!fn || version === null || fn.version === version) return fn;
  const kept = await findFunctionVersion(db, fn.id, version);
  if (!kept) return fn;
  return { ...fn, version: kept.version, code: kept.code, original_code: kept.original_code };
}
