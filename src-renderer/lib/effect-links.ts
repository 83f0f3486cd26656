// Where a run's effects lead: rows to the Tables view filtered to their table and primary
// keys, an uploaded object to the object, a submitted job to its run. What no longer exists
// or never did (a removed object, a dry run's writes) leads nowhere, or only to its table.
import type { JobEffect } from "../../src-sdk/index.ts";

export type PrimaryKey = Record<string, unknown>;

export type EffectLink =
  | { kind: "route"; to: { path: string; query?: Record<string, string> } }
  | { kind: "object"; bucket: string; path: string }
  | null;

/** The Tables view with one table open, filtered to these keys when there are any. */
export function tableRoute(table: string, keys: readonly PrimaryKey[] = []) {
  const query: Record<string, string> = { table };
  if (keys.length > 0) query.keys = JSON.stringify(keys);
  return { path: "/tables", query };
}

/** The keys of a `keys` query parameter; [] when absent or not a list of objects. */
export function keysFromQuery(value: unknown): PrimaryKey[] {
  if (typeof value !== "string" || !value) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) &&
      parsed.every((k) => k !== null && typeof k === "object" && !Array.isArray(k))
      ? (parsed as PrimaryKey[])
      : [];
  } catch {
    return [];
  }
}

/** One column's values when every key is that one column (an `in` filter), else undefined. */
export function singleColumnKeys(
  keys: readonly PrimaryKey[],
): { column: string; values: unknown[] } | undefined {
  const column = keys[0] && Object.keys(keys[0]).length === 1 ? Object.keys(keys[0])[0] : null;
  if (!column) return undefined;
  if (!keys.every((k) => Object.keys(k).length === 1 && column in k)) return undefined;
  return { column, values: keys.map((k) => k[column]) };
}

/** Where one effect's target leads (a submitted job's runs are linked per key). */
export function effectLink(effect: JobEffect): EffectLink {
  if (effect.kind === "table")
    // A dry run's rows were rolled back: its keys name nothing, its table still helps.
    return { kind: "route", to: tableRoute(effect.target, effect.dry_run ? [] : effect.keys) };
  if (effect.kind === "object") {
    if (effect.operation !== "upload" || effect.dry_run) return null;
    const key = effect.keys[0] as { bucket?: unknown; path?: unknown } | undefined;
    return typeof key?.bucket === "string" && typeof key.path === "string"
      ? { kind: "object", bucket: key.bucket, path: key.path }
      : null;
  }
  return null;
}
