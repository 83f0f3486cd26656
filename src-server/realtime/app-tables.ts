// Realtime on application tables (`app` and `public` schemas): the registry an admin switches
// (upstream's admin.realtime.enableRealtime shape; migration 0017 holds the table and the
// trigger function), and the per-socket gate for their changes. A change reaches a socket
// only when its identity may SELECT the row under the table's own RLS policies, checked as
// that identity (the data API's caller session); the service role and dashboard admins see
// every change, and a DELETE (the row is gone) reaches only them, as upstream.
import type { Caller } from "../auth/caller.ts";
import { pgRoleFor, withCallerSession } from "../data/index.ts";
import type { Db } from "../db/connections.ts";
import { AppError, invalidField } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RowChange } from "./records.ts";

export const APP_SCHEMAS = new Set(["app", "public"]);
export const TRIGGER_NAME = "fluxbase_realtime_notify";
const EVENTS = ["INSERT", "UPDATE", "DELETE"] as const;
type Event = (typeof EVENTS)[number];

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Upstream's RealtimeTableStatus. */
export interface AppTableStatus {
  schema: string;
  table: string;
  realtime_enabled: boolean;
  events: string[];
  excluded_columns: string[];
  created_at?: string;
}

export interface EnableInput {
  schema?: unknown;
  table?: unknown;
  events?: unknown;
  exclude?: unknown;
}

export interface AppTables {
  isAppTable(schema: string): boolean;
  isEnabled(schema: string, table: string): Promise<boolean>;
  /** May `caller` see this change of an enabled application table? */
  visibleTo(caller: Caller, change: RowChange): Promise<boolean>;
  enable(input: EnableInput): Promise<{
    schema: string;
    table: string;
    events: string[];
    trigger_name: string;
    exclude: string[];
  }>;
  update(schema: string, table: string, input: EnableInput): Promise<AppTableStatus>;
  disable(schema: string, table: string): Promise<void>;
  /** Enabled tables; with `all`, every table of the application schemas. */
  list(all: boolean): Promise<AppTableStatus[]>;
  status(schema: string, table: string): Promise<AppTableStatus>;
}

export interface AppTablesOptions {
  db: Db;
  logger?: Logger;
}

interface RegistryRow {
  schema: string;
  table: string;
  events: string[];
  excluded: string[];
  created_at: Date | null;
  enabled: boolean;
}

function checkSchema(value: unknown): string {
  const schema = value === undefined || value === null ? "public" : value;
  if (typeof schema !== "string" || !APP_SCHEMAS.has(schema))
    throw invalidField("schema", "schema must be app or public (application tables)");
  return schema;
}

function checkTable(value: unknown): string {
  if (typeof value !== "string" || value === "" || value.length > 63)
    throw invalidField("table", "table is required (a table name)");
  return value;
}

function checkEvents(value: unknown): Event[] {
  if (value === undefined || value === null) return [...EVENTS];
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((e) => EVENTS.includes(e as Event))
  )
    throw invalidField("events", "events must be a non-empty array of INSERT, UPDATE, DELETE");
  return [...new Set(value as Event[])];
}

function checkExclude(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((c) => typeof c === "string" && c !== ""))
    throw invalidField("exclude", "exclude must be an array of column names");
  if (value.includes("id"))
    throw invalidField("exclude", "exclude cannot name id: each row's visibility is read by id");
  return value as string[];
}

const statusOf = (row: RegistryRow): AppTableStatus => ({
  schema: row.schema,
  table: row.table,
  realtime_enabled: row.enabled,
  events: row.enabled ? row.events : [],
  excluded_columns: row.enabled ? row.excluded : [],
  ...(row.created_at ? { created_at: row.created_at.toISOString() } : {}),
});

const LIST_SQL = `
  SELECT c.table_schema AS schema, c.table_name AS table,
         coalesce(r.events, '{}') AS events, coalesce(r.excluded, '{}') AS excluded,
         r.created_at, r.table_name IS NOT NULL AS enabled
  FROM information_schema.tables c
  LEFT JOIN realtime.app_tables r ON r.schema_name = c.table_schema AND r.table_name = c.table_name
  WHERE c.table_schema = ANY ($1::text[]) AND c.table_type = 'BASE TABLE'
    AND ($2::boolean OR r.table_name IS NOT NULL)
    AND ($3::text IS NULL OR (c.table_schema = $3 AND c.table_name = $4))
  ORDER BY c.table_schema, c.table_name`;

export function createAppTables({ db, logger }: AppTablesOptions): AppTables {
  const read = (all: boolean, schema: string | null = null, table: string | null = null) =>
    db.query<RegistryRow>(LIST_SQL, [[...APP_SCHEMAS], all, schema, table]);

  async function requireTable(schema: string, table: string): Promise<void> {
    const [row] = await read(true, schema, table);
    if (!row) throw new AppError("NOT_FOUND", `Table '${schema}.${table}' not found`);
    const [id] = await db.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'id'",
      [schema, table],
    );
    if (!id)
      throw invalidField(
        "table",
        `Table '${schema}.${table}' has no id column: realtime checks each row's visibility by id`,
      );
  }

  async function install(schema: string, table: string, events: Event[], exclude: string[]) {
    const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
    await db.withTransaction(async (tx) => {
      await tx.query(
        `INSERT INTO realtime.app_tables (schema_name, table_name, events, excluded) VALUES ($1, $2, $3, $4)
         ON CONFLICT (schema_name, table_name) DO UPDATE SET events = EXCLUDED.events, excluded = EXCLUDED.excluded`,
        [schema, table, events, exclude],
      );
      await tx.query(`DROP TRIGGER IF EXISTS ${TRIGGER_NAME} ON ${target}`);
      await tx.query(
        `CREATE TRIGGER ${TRIGGER_NAME} AFTER ${events.join(" OR ")} ON ${target}
         FOR EACH ROW EXECUTE FUNCTION realtime.notify_app_change()`,
      );
    });
  }

  const self: AppTables = {
    isAppTable: (schema) => APP_SCHEMAS.has(schema),

    async isEnabled(schema, table) {
      if (!APP_SCHEMAS.has(schema)) return false;
      const rows = await db.query(
        "SELECT 1 FROM realtime.app_tables WHERE schema_name = $1 AND table_name = $2",
        [schema, table],
      );
      return rows.length > 0;
    },

    async visibleTo(caller, change) {
      if (pgRoleFor(caller.role) === "service_role") return true;
      if (change.type === "DELETE" || !change.record) return false;
      const id = change.record.id;
      if (id === undefined || id === null) return false;
      const target = `${quoteIdent(change.schema)}.${quoteIdent(change.table)}`;
      try {
        return await withCallerSession(db, caller, async (tx) => {
          const [row] = await tx.query<{ ok: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM ${target} WHERE id::text = $1) AS ok`,
            [String(id)],
          );
          return row?.ok === true;
        });
      } catch (err) {
        // No grant on the table (or it is gone): nothing to show this identity.
        logger?.debug("realtime: row visibility check refused", {
          table: `${change.schema}.${change.table}`,
          error: (err as Error).message,
        });
        return false;
      }
    },

    async enable(input) {
      const schema = checkSchema(input.schema);
      const table = checkTable(input.table);
      const events = checkEvents(input.events);
      const exclude = checkExclude(input.exclude);
      await requireTable(schema, table);
      await install(schema, table, events, exclude);
      return { schema, table, events, trigger_name: TRIGGER_NAME, exclude };
    },

    async update(schema, table, input) {
      const current = await self.status(checkSchema(schema), checkTable(table));
      if (!current.realtime_enabled)
        throw new AppError("NOT_FOUND", `Realtime is not enabled on '${schema}.${table}'`);
      await install(
        schema,
        table,
        input.events === undefined ? (current.events as Event[]) : checkEvents(input.events),
        input.exclude === undefined ? current.excluded_columns : checkExclude(input.exclude),
      );
      return self.status(schema, table);
    },

    async disable(schema, table) {
      checkSchema(schema);
      checkTable(table);
      const target = `${quoteIdent(schema)}.${quoteIdent(table)}`;
      await db.withTransaction(async (tx) => {
        const gone = await tx.query(
          "DELETE FROM realtime.app_tables WHERE schema_name = $1 AND table_name = $2 RETURNING 1",
          [schema, table],
        );
        if (gone.length === 0)
          throw new AppError("NOT_FOUND", `Realtime is not enabled on '${schema}.${table}'`);
        const [exists] = await tx.query("SELECT to_regclass($1) IS NOT NULL AS ok", [target]);
        if ((exists as { ok: boolean }).ok)
          await tx.query(`DROP TRIGGER IF EXISTS ${TRIGGER_NAME} ON ${target}`);
      });
    },

    async list(all) {
      return (await read(all)).map(statusOf);
    },

    async status(schema, table) {
      const [row] = await read(true, checkSchema(schema), checkTable(table));
      if (!row) throw new AppError("NOT_FOUND", `Table '${schema}.${table}' not found`);
      return statusOf(row);
    },
  };
  return self;
}
