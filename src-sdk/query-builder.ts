// client.from(table): a small PostgREST-style builder over /api/v1/tables (compatibility §7.8).
// It is thenable: `await client.from("t").select("*").eq("id", 1)` runs the request.
import { FluxbaseError } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import { LONG_QUERY_CHARS, longQueryBody } from "./long-query.ts";

/** A table row. Rows are user-shaped, so fields are loosely typed; pass a type to narrow. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows have whatever columns the table has
export type Row = Record<string, any>;

export type FilterOperator =
  "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "like" | "ilike" | "is" | "in";

export type FilterValue = string | number | boolean | null | Date;

export interface QueryResponse<T> {
  data: T | null;
  error: FluxbaseError | null;
  /** Total matching rows when `select(cols, { count })` asked for it, else null. */
  count: number | null;
  status: number;
  statusText: string;
}

export interface SelectOptions {
  count?: "exact" | "planned" | "estimated";
  /** Only count: send HEAD and return no rows. */
  head?: boolean;
}

export interface UpsertOptions {
  onConflict?: string;
  ignoreDuplicates?: boolean;
}

type Method = "GET" | "HEAD" | "POST" | "PATCH" | "DELETE";
type SingleMode = "many" | "single" | "maybeSingle";

export function tablePath(table: string, schema?: string): string {
  const seg = encodeURIComponent;
  return schema ? `/api/v1/tables/${seg(schema)}/${seg(table)}` : `/api/v1/tables/${seg(table)}`;
}

/** PostgREST literal: dates as ISO, reserved characters quoted. */
export function formatValue(value: FilterValue): string {
  if (value === null) return "null";
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function formatListItem(value: FilterValue): string {
  const text = formatValue(value);
  return /[,()"\s]/.test(text) ? `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : text;
}

/** `Content-Range: 0-9/42` → 42; `*` or absent → null. */
export function countFromContentRange(header: string | null): number | null {
  const total = header?.split("/")[1];
  if (!total || total === "*") return null;
  const parsed = Number(total);
  return Number.isFinite(parsed) ? parsed : null;
}

export class QueryBuilder<R extends Row = Row, T = R[]> implements PromiseLike<QueryResponse<T>> {
  private readonly http: HttpClient;
  private readonly path: string;
  private method: Method = "GET";
  private columns: string | null = null;
  private countMode: SelectOptions["count"] | null = null;
  private body: unknown = undefined;
  private readonly params: [string, string][] = [];
  private readonly orders: string[] = [];
  private readonly prefer: string[] = [];
  private singleMode: SingleMode = "many";
  private signal: AbortSignal | undefined = undefined;

  constructor(http: HttpClient, path: string) {
    this.http = http;
    this.path = path;
  }

  /** Columns to read; after insert/update/upsert/delete it asks for the written rows back. */
  select(columns = "*", options: SelectOptions = {}): QueryBuilder<R, R[]> {
    this.columns = columns.replace(/\s+/g, "");
    if (options.count) this.countMode = options.count;
    if (options.head) this.method = "HEAD";
    return this as unknown as QueryBuilder<R, R[]>;
  }

  insert(values: Partial<R> | Partial<R>[]): this {
    this.method = "POST";
    this.body = values;
    return this;
  }

  upsert(values: Partial<R> | Partial<R>[], options: UpsertOptions = {}): this {
    this.method = "POST";
    this.body = values;
    this.prefer.push(`resolution=${options.ignoreDuplicates ? "ignore" : "merge"}-duplicates`);
    if (options.onConflict) this.params.push(["on_conflict", options.onConflict]);
    return this;
  }

  update(values: Partial<R>): this {
    this.method = "PATCH";
    this.body = values;
    return this;
  }

  delete(): this {
    this.method = "DELETE";
    return this;
  }

  filter(column: string, operator: string, value: FilterValue): this {
    this.params.push([column, `${operator}.${formatValue(value)}`]);
    return this;
  }

  eq(column: string, value: FilterValue): this {
    return this.filter(column, "eq", value);
  }

  neq(column: string, value: FilterValue): this {
    return this.filter(column, "neq", value);
  }

  gt(column: string, value: FilterValue): this {
    return this.filter(column, "gt", value);
  }

  gte(column: string, value: FilterValue): this {
    return this.filter(column, "gte", value);
  }

  lt(column: string, value: FilterValue): this {
    return this.filter(column, "lt", value);
  }

  lte(column: string, value: FilterValue): this {
    return this.filter(column, "lte", value);
  }

  like(column: string, pattern: string): this {
    return this.filter(column, "like", pattern);
  }

  ilike(column: string, pattern: string): this {
    return this.filter(column, "ilike", pattern);
  }

  is(column: string, value: boolean | null): this {
    return this.filter(column, "is", value);
  }

  in(column: string, values: readonly FilterValue[]): this {
    this.params.push([column, `in.(${values.map(formatListItem).join(",")})`]);
    return this;
  }

  not(column: string, operator: FilterOperator, value: FilterValue | readonly FilterValue[]): this {
    const formatted = Array.isArray(value)
      ? `(${value.map(formatListItem).join(",")})`
      : formatValue(value as FilterValue);
    this.params.push([column, `not.${operator}.${formatted}`]);
    return this;
  }

  /** Raw PostgREST disjunction, e.g. `or("status.eq.failed,retry_count.gt.2")`. */
  or(filters: string): this {
    this.params.push(["or", `(${filters})`]);
    return this;
  }

  /** `eq` on every key of `query`. */
  match(query: Record<string, FilterValue>): this {
    for (const [column, value] of Object.entries(query)) this.eq(column, value);
    return this;
  }

  order(column: string, options: { ascending?: boolean; nullsFirst?: boolean } = {}): this {
    let term = `${column}.${options.ascending === false ? "desc" : "asc"}`;
    if (options.nullsFirst !== undefined) term += options.nullsFirst ? ".nullsfirst" : ".nullslast";
    this.orders.push(term);
    return this;
  }

  limit(count: number): this {
    this.setParam("limit", String(count));
    return this;
  }

  /** Rows from..to inclusive (0-based). */
  range(from: number, to: number): this {
    this.setParam("offset", String(from));
    this.setParam("limit", String(to - from + 1));
    return this;
  }

  /** Exactly one row as an object; zero or several rows is an error (406). */
  single(): QueryBuilder<R, R> {
    this.singleMode = "single";
    return this as unknown as QueryBuilder<R, R>;
  }

  /** One row as an object, or null for none; several rows is an error (406). */
  maybeSingle(): QueryBuilder<R, R | null> {
    this.singleMode = "maybeSingle";
    return this as unknown as QueryBuilder<R, R | null>;
  }

  abortSignal(signal: AbortSignal): this {
    this.signal = signal;
    return this;
  }

  then<A = QueryResponse<T>, B = never>(
    onFulfilled?: ((value: QueryResponse<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.execute().then(onFulfilled, onRejected);
  }

  /** The query string this builder would send (for tests and debugging). */
  toSearchParams(): URLSearchParams {
    const search = new URLSearchParams();
    if (this.columns !== null) search.set("select", this.columns);
    for (const [name, value] of this.params) search.append(name, value);
    if (this.orders.length > 0) search.set("order", this.orders.join(","));
    if (this.countMode) search.set("count", this.countMode);
    return search;
  }

  private setParam(name: string, value: string): void {
    const index = this.params.findIndex(([key]) => key === name);
    if (index >= 0) this.params.splice(index, 1);
    this.params.push([name, value]);
  }

  private headers(): Record<string, string> {
    const prefer = [...this.prefer];
    const isWrite = this.method === "POST" || this.method === "PATCH" || this.method === "DELETE";
    // Without .select() a write answers no rows (the server's default is to answer them).
    if (isWrite) prefer.push(this.columns !== null ? "return=representation" : "return=minimal");
    if (this.countMode) prefer.push(`count=${this.countMode}`);
    return prefer.length > 0 ? { Prefer: prefer.join(",") } : {};
  }

  private async execute(): Promise<QueryResponse<T>> {
    const query = this.toSearchParams();
    const options = { query, headers: this.headers(), signal: this.signal };
    const long = this.method === "GET" && query.toString().length > LONG_QUERY_CHARS;
    const res = long
      ? await this.http.request<unknown>("POST", `${this.path}/query`, {
          headers: options.headers,
          signal: options.signal,
          body: longQueryBody(query),
        })
      : await this.http.request<unknown>(
          this.method,
          this.path,
          this.body === undefined ? options : { ...options, body: this.body },
        );
    const base = {
      count: countFromContentRange(res.headers?.get("content-range") ?? null),
      status: res.status,
      statusText: res.statusText,
    };
    if (res.error) return { ...base, data: null, error: res.error };
    const data = this.method === "HEAD" ? null : res.data;
    if (this.singleMode === "many") return { ...base, data: data as T | null, error: null };
    return { ...base, ...this.pickSingle(data) };
  }

  private pickSingle(data: unknown): { data: T | null; error: FluxbaseError | null } {
    if (!Array.isArray(data)) {
      if (data !== null || this.singleMode === "maybeSingle")
        return { data: data as T | null, error: null };
    } else if (data.length === 1) {
      return { data: data[0] as T, error: null };
    } else if (data.length === 0 && this.singleMode === "maybeSingle") {
      return { data: null, error: null };
    }
    const rows = Array.isArray(data) ? data.length : 0;
    const message = "JSON object requested, multiple (or no) rows returned";
    return { data: null, error: new FluxbaseError(message, 406, { rows }, "PGRST116") };
  }
}

/** `client.schema("app")`: tables of one schema. */
export class SchemaClient {
  private readonly http: HttpClient;
  private readonly schema: string;

  constructor(http: HttpClient, schema: string) {
    this.http = http;
    this.schema = schema;
  }

  from<R extends Row = Row>(table: string): QueryBuilder<R> {
    return new QueryBuilder<R>(this.http, tablePath(table, this.schema));
  }
}
