// The data API (compatibility §7.8): /api/v1/tables/<table> (`schema.table` in one segment, or
// public) and /api/v1/tables/<schema>/<table>. GET/HEAD read, POST inserts or upserts,
// PATCH updates, DELETE deletes; POST <table path>/query reads with the query in the body. Each request is one transaction as the caller's database
// role (session.ts), so the table's own grants and RLS policies decide what it may do.
import type { CallerResolver } from "../auth/caller.ts";
import { jobTokenMayWriteSchema } from "../auth/job-scope.ts";
import type { Db, Queryable } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import { authenticated } from "../http/guards.ts";
import { Reply, type ApiRequest, type Router } from "../http/router.ts";
import { createCatalogue, type Catalogue, type TableInfo, type TableRef } from "./catalogue.ts";
import { fromPgError } from "./errors.ts";
import { parsePostQuery } from "./post-query.ts";
import {
  parsePrefer,
  parseQuery,
  referencedColumns,
  type ParsedQuery,
  type Preferences,
} from "./query-parse.ts";
import {
  buildCount,
  buildDelete,
  buildInsert,
  buildSelect,
  buildUpdate,
  chunkRows,
  type RowObject,
  type Sql,
  type WriteOptions,
} from "./sql-build.ts";
import { withCallerSession, type PgRole } from "../db/session.ts";
import type { JobEffects } from "../ledger/job-effects.ts";
import { tableEffect, withKeysOrWithout } from "../ledger/table-effect.ts";

export interface DataRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  /** How long a table's column list is trusted before it is read again. */
  catalogueTtlMs?: number;
  /** Records the writes of jobs' tokens and runs dry runs in their held transaction. */
  effects?: JobEffects;
}

interface Written {
  affected: number;
  rows: RowObject[] | null;
  /** The primary keys written, when asked (a job's write, for the ledger). */
  keys?: RowObject[] | null;
}

const BASE = "/api/v1/tables";
const METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE"];

/** `app.my_table` -> app / my_table; a bare name is in public. */
export function tableRef(params: Record<string, string>): TableRef {
  const table = params.table ?? "";
  if (params.schema !== undefined) return { schema: params.schema, name: table };
  const dot = table.indexOf(".");
  return dot > 0
    ? { schema: table.slice(0, dot), name: table.slice(dot + 1) }
    : { schema: "public", name: table };
}

function isRowObject(value: unknown): value is RowObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body's rows, and whether it was an array (a lone object is answered as an object). */
interface Body {
  rows: RowObject[];
  many: boolean;
}

async function readBody(req: ApiRequest): Promise<Body> {
  const body = await req.json();
  const many = req.method === "POST" && Array.isArray(body);
  const rows: unknown[] = many ? body : [body];
  if (!rows.every(isRowObject)) {
    const want = req.method === "POST" ? "a JSON object or an array of objects" : "a JSON object";
    throw new AppError("BAD_REQUEST", `The body must be ${want} (column: value)`, {
      field: "body",
    });
  }
  return { rows, many };
}

/** `Content-Range: 0-9/42` (rows 0..9 of 42; `*` when not counted). */
function contentRange(offset: number, rows: number, total: number | undefined): string {
  const range = rows > 0 ? `${offset}-${offset + rows - 1}` : "*";
  return `${range}/${total ?? "*"}`;
}

async function one<R extends object>(tx: Queryable, sql: Sql): Promise<R> {
  try {
    const [row] = await tx.query<R>(sql.text, sql.values);
    return row!;
  } catch (err) {
    throw fromPgError(err, sql.fields); // names the field of a value PostgreSQL refused
  }
}

/** One request against one table, inside the caller's transaction. */
interface TableCall {
  tx: Queryable;
  table: TableInfo;
  query: ParsedQuery;
  /** `count=exact` or `Prefer: count=exact`: answer Content-Range with a total. */
  counting: boolean;
  /** Set for a job's token: the write's primary keys are read and handed here. */
  onWritten?: (written: Written, table: TableInfo) => void;
}

async function read({ tx, table, query, counting }: TableCall, head: boolean): Promise<Reply> {
  const { rows } = await one<{ rows: RowObject[] }>(tx, buildSelect(table, query));
  const total = counting
    ? (await one<{ total: number }>(tx, buildCount(table, query))).total
    : undefined;
  const headers = { "content-range": contentRange(query.offset ?? 0, rows.length, total) };
  return new Reply(200, head ? undefined : rows, headers);
}

async function insert({ tx, table, query }: TableCall, rows: RowObject[], options: WriteOptions) {
  const out: Written = { affected: 0, rows: options.returning ? [] : null, keys: [] };
  for (const chunk of chunkRows(rows)) {
    const written = await one<Written>(tx, buildInsert(table, chunk, query, options));
    out.affected += written.affected;
    if (written.rows) out.rows!.push(...written.rows);
    if (written.keys) out.keys!.push(...written.keys);
  }
  return out;
}

/**
 * POST answers 201 and PATCH 200 with the written rows unless `Prefer: return=minimal` (then
 * 201 / 204 with no body), as upstream does; a lone object posted without
 * `return=representation` answers the one row as an object, an array answers an array. DELETE
 * answers 204, or 200 with the rows when `return=representation` asks for them. The count of
 * written rows goes in Content-Range when asked.
 */
async function write(call: TableCall, method: string, body: Body, prefer: Preferences) {
  const { tx, table, query } = call;
  const options: WriteOptions = {
    returning: method === "DELETE" ? prefer.returnRepresentation : !prefer.returnMinimal,
    resolution: prefer.resolution,
  };
  const run = (o: WriteOptions) =>
    method === "POST"
      ? insert(call, body.rows, o)
      : one<Written>(
          tx,
          method === "PATCH"
            ? buildUpdate(table, body.rows[0]!, query, o)
            : buildDelete(table, query, o),
        );
  const written = call.onWritten
    ? await withKeysOrWithout(tx, table.primaryKey, (keys) => run({ ...options, keys }))
    : await run(options);
  call.onWritten?.(written, table);
  const headers: Record<string, string> = call.counting
    ? { "content-range": `*/${written.affected}` }
    : {};
  if (method === "POST") {
    const lone = !body.many && !prefer.returnRepresentation && written.rows;
    return new Reply(201, lone ? (written.rows![0] ?? null) : (written.rows ?? undefined), headers);
  }
  return written.rows ? new Reply(200, written.rows, headers) : new Reply(204, undefined, headers);
}

async function handle(
  db: Db,
  catalogue: Catalogue,
  req: ApiRequest,
  effects: JobEffects | undefined,
): Promise<Reply> {
  const query = parseQuery(req.query);
  const reading = req.method === "GET" || req.method === "HEAD";
  if (!reading) refuseJobWriteToServerTables(req);
  const body = reading || req.method === "DELETE" ? { rows: [], many: false } : await readBody(req);
  const prefer = parsePrefer(req.headers.prefer);
  const columns = new Set(body.rows.flatMap((row) => Object.keys(row)));
  let effect: ReturnType<typeof tableEffect> | undefined;
  const onWritten =
    !reading && effects?.isJob(req.caller!)
      ? (written: Written, table: TableInfo) =>
          (effect = tableEffect(req.method, prefer.resolution, table, written))
      : undefined;
  const reply = await inCallerSession(db, catalogue, req, query, [...columns], effects, (call) =>
    reading
      ? read(call, req.method === "HEAD")
      : write({ ...call, onWritten }, req.method, body, prefer),
  );
  if (effect) await effects!.record(req.caller!, effect);
  return reply;
}

/** A job's tokens write application tables only (auth/job-scope.ts). */
function refuseJobWriteToServerTables(req: ApiRequest): void {
  const { schema, name } = tableRef(req.params);
  if (req.caller?.job && !jobTokenMayWriteSchema(schema)) {
    throw new AppError(
      "FORBIDDEN",
      `Insufficient permissions: a job's token cannot write ${schema}.${name}, a table of the server's own`,
      { code: "INSUFFICIENT_PERMISSIONS", field: "table" },
    );
  }
}

/** `POST …/query`: a read whose query is the JSON body (post-query.ts). */
async function handleLongQuery(
  db: Db,
  catalogue: Catalogue,
  req: ApiRequest,
  effects: JobEffects | undefined,
): Promise<Reply> {
  const query = parsePostQuery(await req.json());
  return inCallerSession(db, catalogue, req, query, [], effects, (call) => read(call, false));
}

async function inCallerSession(
  db: Db,
  catalogue: Catalogue,
  req: ApiRequest,
  query: ParsedQuery,
  bodyColumns: string[],
  effects: JobEffects | undefined,
  fn: (call: TableCall) => Promise<Reply>,
): Promise<Reply> {
  const ref = tableRef(req.params);
  const needed = [...referencedColumns(query), ...bodyColumns];
  const counting = query.count || parsePrefer(req.headers.prefer).count;
  try {
    // A dry run's requests share its held transaction (ledger/dry-run-sessions.ts).
    const work = async (tx: Queryable, pgRole: PgRole) => {
      const table = await catalogue.table(tx, pgRole, ref, needed);
      return fn({ tx, table, query, counting });
    };
    return await (effects
      ? effects.asCaller(req.caller!, work)
      : withCallerSession(db, req.caller!, work));
  } catch (err) {
    throw fromPgError(err);
  }
}

export function addDataRoutes({
  router,
  db,
  callers,
  catalogueTtlMs = 5_000,
  effects,
}: DataRoutesOptions): void {
  const catalogue = createCatalogue({ ttlMs: catalogueTtlMs });
  const guards = [authenticated(callers)];
  // Before the table routes: `/tables/<schema>/query` is the long query on table <schema>
  // (a table named "query" takes inserts at `/tables/<schema>.query`).
  for (const pattern of [`${BASE}/:schema/:table/query`, `${BASE}/:table/query`]) {
    router.add("POST", pattern, guards, (req) => handleLongQuery(db, catalogue, req, effects));
  }
  for (const pattern of [`${BASE}/:table`, `${BASE}/:schema/:table`]) {
    for (const method of METHODS)
      router.add(method, pattern, guards, (req) => handle(db, catalogue, req, effects));
  }
}
