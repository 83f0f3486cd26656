// What the data API may name: tables (and views) of non-system schemas the caller's
// database role may use, with their columns and types, read from pg_catalog. Entries are
// cached per role for a short time; a request naming a column the cached entry lacks
// reloads it, so a column added a moment ago is found at once.
import type { Queryable } from "../db/connections.ts";
import { AppError } from "../errors.ts";

export interface ColumnInfo {
  name: string;
  /** The type as SQL without modifiers (`character varying`, `text[]`, `app.mood`). */
  type: string;
  isArray: boolean;
  isJson: boolean;
}

export interface TableRef {
  schema: string;
  name: string;
}

export interface TableInfo extends TableRef {
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
}

export interface Catalogue {
  /** The table as `pgRole` sees it, run on `q` (inside the caller's session); 404 when absent. */
  table(q: Queryable, pgRole: string, ref: TableRef, needed: readonly string[]): Promise<TableInfo>;
}

export interface CatalogueOptions {
  ttlMs: number;
  /** Most tables kept; the oldest entry goes first. */
  maxEntries?: number;
  now?: () => number;
}

interface ColumnRow {
  name: string;
  type: string;
  is_array: boolean;
  is_json: boolean;
  primary_key: boolean;
}

// format_type(type, -1) names the type without modifiers, and unconstrained where a bare
// name would not be (`bpchar`, not `character`, which means char(1)): a filter value cast
// to varchar(3) or char(1) would be silently truncated, while the column itself still
// checks the length on write.
const TABLE_COLUMNS = `
  SELECT a.attname AS name, format_type(a.atttypid, -1) AS type,
         t.typcategory = 'A' AS is_array,
         coalesce(nullif(t.typbasetype, 0), t.oid) IN ('json'::regtype, 'jsonb'::regtype) AS is_json,
         coalesce(a.attnum = ANY (i.indkey), false) AS primary_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
  WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND has_schema_privilege(n.oid, 'USAGE')
  ORDER BY a.attnum`;

export function tableNotFound(ref: TableRef): AppError {
  return new AppError("NOT_FOUND", `Table '${ref.schema}.${ref.name}' not found`);
}

async function loadTable(q: Queryable, ref: TableRef): Promise<TableInfo | undefined> {
  const rows = await q.query<ColumnRow>(TABLE_COLUMNS, [ref.schema, ref.name]);
  if (rows.length === 0) return undefined;
  const columns = new Map<string, ColumnInfo>();
  for (const r of rows)
    columns.set(r.name, { name: r.name, type: r.type, isArray: r.is_array, isJson: r.is_json });
  return {
    ...ref,
    columns,
    primaryKey: rows.filter((r) => r.primary_key).map((r) => r.name),
  };
}

export function createCatalogue(options: CatalogueOptions): Catalogue {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 500;
  const cache = new Map<string, { info: TableInfo; expires: number }>();
  return {
    async table(q, pgRole, ref, needed) {
      const key = JSON.stringify([pgRole, ref.schema, ref.name]);
      const hit = cache.get(key);
      if (hit && hit.expires > now() && needed.every((c) => hit.info.columns.has(c)))
        return hit.info;
      const info = await loadTable(q, ref);
      cache.delete(key);
      if (!info) throw tableNotFound(ref);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(key, { info, expires: now() + options.ttlMs });
      return info;
    },
  };
}
