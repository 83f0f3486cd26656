// What a job handler sees, as an ambient .d.ts for Monaco, typed without importing anything:
// the handler's `job`, context, `secrets` and `Fluxbase` from src-shared/job-handler.d.ts
// (the same file jobs/jobs.d.ts references), and a summary of the SDK client and
// `createClient` (jobs/jobs.d.ts takes the SDK's own types instead).
import HANDLER_TYPES from "../../src-shared/job-handler.d.ts?raw";

// It sits where the jobs' own `/// <reference path="./jobs.d.ts" />` points (the open file
// is file:///jobs/<path>), so that reference resolves and adds nothing twice.
export const JOB_TYPES_PATH = "file:///jobs/jobs.d.ts";

export const JOB_TYPES = `
interface FluxbaseError extends Error { status: number; code?: string; details: unknown }
type FluxbaseResult<T> = { data: T; error: null } | { data: null; error: FluxbaseError };
interface QueryResponse<T> { data: T | null; error: FluxbaseError | null; count: number | null; status: number }

interface QueryBuilder<R = Record<string, any>> extends PromiseLike<QueryResponse<R[]>> {
  select(columns?: string, options?: { count?: "exact"; head?: boolean }): QueryBuilder<R>;
  insert(rows: Partial<R> | Partial<R>[]): QueryBuilder<R>;
  upsert(rows: Partial<R> | Partial<R>[], options?: { onConflict?: string }): QueryBuilder<R>;
  update(values: Partial<R>): QueryBuilder<R>;
  delete(): QueryBuilder<R>;
  eq(column: string, value: unknown): QueryBuilder<R>;
  neq(column: string, value: unknown): QueryBuilder<R>;
  gt(column: string, value: unknown): QueryBuilder<R>;
  gte(column: string, value: unknown): QueryBuilder<R>;
  lt(column: string, value: unknown): QueryBuilder<R>;
  lte(column: string, value: unknown): QueryBuilder<R>;
  like(column: string, pattern: string): QueryBuilder<R>;
  ilike(column: string, pattern: string): QueryBuilder<R>;
  in(column: string, values: unknown[]): QueryBuilder<R>;
  is(column: string, value: null | boolean): QueryBuilder<R>;
  order(column: string, options?: { ascending?: boolean }): QueryBuilder<R>;
  limit(count: number): QueryBuilder<R>;
  range(from: number, to: number): QueryBuilder<R>;
  single(): PromiseLike<QueryResponse<R>>;
  maybeSingle(): PromiseLike<QueryResponse<R | null>>;
}

interface StorageObject { name: string; size?: number; updated_at?: string; metadata?: Record<string, unknown> }
interface BucketClient {
  upload(path: string, body: Blob | ArrayBuffer | Uint8Array | string, options?: { contentType?: string; upsert?: boolean }): Promise<FluxbaseResult<{ path: string }>>;
  download(path: string): Promise<FluxbaseResult<Blob>>;
  list(prefix?: string, options?: { limit?: number; offset?: number }): Promise<FluxbaseResult<StorageObject[]>>;
  remove(paths: string[]): Promise<FluxbaseResult<unknown>>;
  createSignedUrl(path: string, expiresIn: number): Promise<FluxbaseResult<{ signedUrl: string }>>;
}

interface Job {
  id: string; job_name: string; namespace: string; status: "pending" | "running" | "completed" | "failed" | "cancelled";
  payload: Record<string, any>; result?: any; error_message?: string; progress_percent?: number; progress_message?: string;
  created_at: string; started_at?: string; completed_at?: string;
}

interface FluxbaseClient {
  from<R = Record<string, any>>(table: string): QueryBuilder<R>;
  schema(name: string): { from<R = Record<string, any>>(table: string): QueryBuilder<R> };
  storage: { from(bucket: string): BucketClient };
  jobs: {
    submit(jobName: string, payload?: object, options?: { namespace?: string; priority?: number; scheduled?: Date | string }): Promise<FluxbaseResult<Job>>;
    get(jobId: string): Promise<FluxbaseResult<Job>>;
    list(filters?: { status?: Job["status"]; job_name?: string; limit?: number }): Promise<FluxbaseResult<Job[]>>;
    cancel(jobId: string): Promise<FluxbaseResult<{ message: string } | null>>;
  };
}

${HANDLER_TYPES}
declare function createClient(url?: string, key?: string | { apiKey?: string; serviceKey?: string }): FluxbaseClient;
declare const Deno: { env: { get(name: string): string | undefined } };
`;

/** A new job file: a typed handler to start from. */
export function jobTemplate(name: string): string {
  return `/**
 * ${name}
 */
// @fluxbase:timeout 300
export async function handler(
  req: Request,
  fluxbase: FluxbaseClient | null,
  fluxbaseService: FluxbaseClient | null,
  job: JobUtils,
) {
  const payload = job.getJobPayload();
  job.reportProgress(50, "working");
  return { ok: true, payload };
}
`;
}
