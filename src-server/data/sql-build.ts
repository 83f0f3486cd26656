// A parsed data API request + the table's columns -> one parameterised statement. Pure.
// Identifiers come from the catalogue and are quoted; every value is a parameter, sent as
// text and cast to the column's type so PostgreSQL does the coercion (`$1::timestamptz`).
// Each statement answers one row: `rows` (a JSON array) and/or `affected` / `total`.
import { AppError, invalidField } from "../errors.ts";
import type { ColumnInfo, TableInfo } from "./catalogue.ts";
import type { Condition, ParsedQuery, SelectItem } from "./query-parse.ts";

export interface Sql {
  text: string;
  values: unknown[];
  /** The request field (column) each parameter came from: `$n`'s is `fields[n - 1]`. */
  fields: (string | undefined)[];
}

export interface WriteOptions {
  /** Answer the written rows (`Prefer: return=representation`). */
  returning: boolean;
  /** Upsert: `Prefer: resolution=merge-duplicates|ignore-duplicates`. */
  resolution?: "merge" | "ignore";
  /** Also answer `keys`: these (primary key) columns of the first 100 written rows. */
  keys?: string[];
}

export type RowObject = Record<string, unknown>;

/** Parameters per INSERT statement, well under PostgreSQL's 65 535. */
export const MAX_INSERT_PARAMS = 30_000;

const COMPARE_SQL = {
  eq: "=",
  neq: "<>",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
  like: "LIKE",
  ilike: "ILIKE",
};

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

class Params {
  readonly values: unknown[] = [];
  readonly fields: (string | undefined)[] = [];
  /** `$n` for `value`; `field` names it when PostgreSQL refuses the value (errors.ts). */
  add(value: unknown, field?: string): string {
    this.values.push(value);
    this.fields.push(field);
    return `$${this.values.length}`;
  }
  sql(text: string): Sql {
    return { text, values: this.values, fields: this.fields };
  }
}

const qualified = (t: TableInfo) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

function column(table: TableInfo, name: string): ColumnInfo {
  const found = table.columns.get(name);
  if (!found)
    throw invalidField(
      name,
      `Column '${name}' does not exist in table '${table.schema}.${table.name}'`,
    );
  return found;
}

/** A JSON body value as the text PostgreSQL parses with the column's input function. */
export function toParam(col: ColumnInfo, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (col.isJson) return JSON.stringify(value);
  if (Array.isArray(value) && col.isArray) return value; // pg writes an array literal
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function conditionSql(table: TableInfo, c: Condition, p: Params): string {
  let sql: string;
  if (c.kind === "group") {
    sql = `(${c.items.map((item) => conditionSql(table, item, p)).join(c.join === "or" ? " OR " : " AND ")})`;
  } else {
    const col = column(table, c.column);
    const id = quoteIdent(col.name);
    if (c.kind === "is") sql = `${id} IS ${c.value.toUpperCase()}`;
    else if (c.kind === "in") sql = `${id} = ANY (${p.add(c.values, col.name)}::${col.type}[])`;
    else if (c.op === "like" || c.op === "ilike")
      sql = `${id}::text ${COMPARE_SQL[c.op]} ${p.add(c.value, col.name)}`;
    else sql = `${id} ${COMPARE_SQL[c.op]} ${p.add(c.value, col.name)}::${col.type}`;
  }
  return c.negate ? `NOT (${sql})` : sql;
}

function whereSql(table: TableInfo, filters: Condition[], p: Params): string {
  if (filters.length === 0) return "";
  return ` WHERE ${filters.map((c) => conditionSql(table, c, p)).join(" AND ")}`;
}

interface SelectSql {
  sql: string;
  /** A plain column: the GROUP BY key when the select also counts. */
  grouped?: string;
  aggregate?: boolean;
}

function selectItemSql(table: TableInfo, item: SelectItem): SelectSql {
  if (item.kind === "star") return { sql: "*" };
  // A bare `count` with no such column is the aggregate (the guide's `.select("count")`).
  if (item.kind === "count" || (item.column === "count" && !table.columns.has("count"))) {
    return { sql: `count(*) AS ${quoteIdent(item.alias ?? "count")}`, aggregate: true };
  }
  const id = quoteIdent(column(table, item.column).name);
  return { sql: item.alias ? `${id} AS ${quoteIdent(item.alias)}` : id, grouped: id };
}

/** `SELECT <select> FROM <from> [GROUP BY] [ORDER BY]`, the shape of the answered rows. */
function projection(table: TableInfo, q: ParsedQuery, from: string, where: string): string {
  const items = (q.select ?? [{ kind: "star" }]).map((item) => selectItemSql(table, item));
  const aggregated = items.some((i) => i.aggregate);
  if (aggregated && items.some((i) => i.sql === "*")) {
    throw new AppError("BAD_REQUEST", "count() cannot be combined with * in select", {
      field: "select",
    });
  }
  const grouped = items.flatMap((i) => (i.grouped ? [i.grouped] : []));
  let sql = `SELECT ${items.map((i) => i.sql).join(", ")} FROM ${from}${where}`;
  if (aggregated && grouped.length > 0) sql += ` GROUP BY ${grouped.join(", ")}`;
  if (q.order.length > 0) {
    const terms = q.order.map((o) => {
      let term = `${quoteIdent(column(table, o.column).name)} ${o.descending ? "DESC" : "ASC"}`;
      if (o.nulls) term += ` NULLS ${o.nulls.toUpperCase()}`;
      return term;
    });
    sql += ` ORDER BY ${terms.join(", ")}`;
  }
  return sql;
}

const AS_JSON = (inner: string) => `SELECT coalesce(json_agg(_r.*), '[]'::json) FROM (${inner}) _r`;

export function buildSelect(table: TableInfo, q: ParsedQuery): Sql {
  const p = new Params();
  let inner = projection(table, q, qualified(table), whereSql(table, q.filters, p));
  if (q.limit !== undefined) inner += ` LIMIT ${p.add(q.limit, "limit")}`;
  if (q.offset !== undefined) inner += ` OFFSET ${p.add(q.offset, "offset")}`;
  return p.sql(`SELECT (${AS_JSON(inner)}) AS rows`);
}

export function buildCount(table: TableInfo, q: ParsedQuery): Sql {
  const p = new Params();
  const where = whereSql(table, q.filters, p);
  return p.sql(`SELECT count(*) AS total FROM ${qualified(table)}${where}`);
}

/** Wraps a data-modifying statement: `affected`, and `rows` when asked for. */
function writeSql(
  table: TableInfo,
  q: ParsedQuery,
  statement: string,
  options: WriteOptions,
): string {
  if (q.limit !== undefined || q.offset !== undefined) {
    throw new AppError(
      "BAD_REQUEST",
      "limit and offset apply to reads only: narrow a write with filters",
      {
        field: q.limit !== undefined ? "limit" : "offset",
      },
    );
  }
  const keys = keysSql(options.keys ?? []);
  if (!options.returning) {
    const returned = options.keys?.length ? options.keys.map(quoteIdent).join(", ") : "1";
    return `WITH _w AS (${statement} RETURNING ${returned}) SELECT count(*) AS affected, NULL::json AS rows${keys} FROM _w`;
  }
  const rows = AS_JSON(projection(table, q, "_w", ""));
  return `WITH _w AS (${statement} RETURNING *) SELECT (SELECT count(*) FROM _w) AS affected, (${rows}) AS rows${keys}`;
}

/** `, (...) AS keys`: the key columns of the first 100 written rows as JSON objects. */
function keysSql(columns: string[]): string {
  if (columns.length === 0) return "";
  const literal = (name: string) => `'${name.replace(/'/g, "''")}'`;
  const pairs = columns.map((c) => `${literal(c)}, _k.${quoteIdent(c)}`).join(", ");
  return `, (SELECT json_agg(json_build_object(${pairs})) FROM (SELECT * FROM _w LIMIT 100) _k) AS keys`;
}

function requireFilters(q: ParsedQuery, verb: string): void {
  if (q.filters.length > 0) return;
  throw new AppError(
    "BAD_REQUEST",
    `${verb} without filters is refused (it would touch every row): add a filter such as ?id=eq.1`,
    { field: "filters" },
  );
}

/** Columns in the order they first appear across the rows. */
function bodyColumns(table: TableInfo, rows: RowObject[]): ColumnInfo[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names].map((name) => column(table, name));
}

function conflictSql(
  table: TableInfo,
  q: ParsedQuery,
  columns: ColumnInfo[],
  options: WriteOptions,
): string {
  if (!options.resolution) {
    if (q.onConflict) {
      throw new AppError(
        "BAD_REQUEST",
        "on_conflict needs Prefer: resolution=merge-duplicates or ignore-duplicates",
        {
          field: "on_conflict",
        },
      );
    }
    return "";
  }
  const target = (q.onConflict ?? table.primaryKey).map((name) =>
    quoteIdent(column(table, name).name),
  );
  const targetSql = target.length > 0 ? ` (${target.join(", ")})` : "";
  if (options.resolution === "ignore" || columns.length === 0)
    return ` ON CONFLICT${targetSql} DO NOTHING`;
  if (target.length === 0) {
    throw new AppError(
      "BAD_REQUEST",
      `Upsert into '${table.schema}.${table.name}' needs on_conflict: the table has no primary key`,
      {
        field: "on_conflict",
      },
    );
  }
  const sets = columns.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`);
  return ` ON CONFLICT${targetSql} DO UPDATE SET ${sets.join(", ")}`;
}

/** One INSERT for `rows` (see chunkRows); a key missing from a row takes the column default. */
export function buildInsert(
  table: TableInfo,
  rows: RowObject[],
  q: ParsedQuery,
  options: WriteOptions,
): Sql {
  const p = new Params();
  const columns = bodyColumns(table, rows);
  let statement = `INSERT INTO ${qualified(table)}`;
  if (columns.length === 0) {
    statement += ` SELECT FROM generate_series(1, ${p.add(rows.length)}::int)`;
  } else {
    const tuples = rows.map(
      (row) =>
        `(${columns
          .map((c) =>
            Object.hasOwn(row, c.name)
              ? `${p.add(toParam(c, row[c.name]), c.name)}::${c.type}`
              : "DEFAULT",
          )
          .join(", ")})`,
    );
    statement += ` (${columns.map((c) => quoteIdent(c.name)).join(", ")}) VALUES ${tuples.join(", ")}`;
  }
  statement += conflictSql(table, q, columns, options);
  return p.sql(writeSql(table, q, statement, options));
}

export function buildUpdate(
  table: TableInfo,
  patch: RowObject,
  q: ParsedQuery,
  options: WriteOptions,
): Sql {
  requireFilters(q, "UPDATE");
  const p = new Params();
  const sets = bodyColumns(table, [patch]).map(
    (c) => `${quoteIdent(c.name)} = ${p.add(toParam(c, patch[c.name]), c.name)}::${c.type}`,
  );
  if (sets.length === 0)
    throw new AppError("BAD_REQUEST", "Nothing to update: the body has no columns", {
      field: "body",
    });
  const statement = `UPDATE ${qualified(table)} SET ${sets.join(", ")}${whereSql(table, q.filters, p)}`;
  return p.sql(writeSql(table, q, statement, options));
}

export function buildDelete(table: TableInfo, q: ParsedQuery, options: WriteOptions): Sql {
  requireFilters(q, "DELETE");
  const p = new Params();
  const statement = `DELETE FROM ${qualified(table)}${whereSql(table, q.filters, p)}`;
  return p.sql(writeSql(table, q, statement, options));
}

/** Splits rows so each INSERT stays under MAX_INSERT_PARAMS. */
export function chunkRows(rows: RowObject[], maxParams = MAX_INSERT_PARAMS): RowObject[][] {
  const width = Math.max(1, new Set(rows.flatMap((r) => Object.keys(r))).size);
  const size = Math.max(1, Math.floor(maxParams / width));
  const chunks: RowObject[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
