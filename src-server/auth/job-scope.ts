// What the tokens a job receives may do beyond data, storage objects and its own jobs.
// A job's service token acts as service_role for data, storage and submitting or
// following jobs, but it is not the server's key: of the admin routes it reaches only
// those that read or operate the queue and storage buckets. API keys, users, secrets,
// schedules and job code (functions, files, sync) stay out of reach, whatever role the
// token carries; so does acting as another user when submitting. Through the data API
// it writes only the application's tables: the server's own schemas (job code, the
// queue, logs, storage metadata) are read-only to it, since a write there would plant
// job code or queue a job as another user past the checks of the routes above.

const QUEUE = /^\/api\/v1\/admin\/jobs\/queue(\/|$)/;
const READ_ONLY = /^\/api\/v1\/admin\/jobs\/(namespaces|functions|stats|workers)(\/|$)/;
const BUCKETS = /^\/api\/v1\/storage\/buckets(\/|$)/;

/** May a job's token use the admin route `method path`? */
export function jobTokenMayUse(method: string, path: string): boolean {
  if (QUEUE.test(path) || BUCKETS.test(path)) return true;
  if (method === "POST" && path === "/api/v1/admin/jobs/check") return true;
  return (method === "GET" || method === "HEAD") && READ_ONLY.test(path);
}

/** The schemas the server's migrations create and its own code writes. */
const SERVER_SCHEMAS: ReadonlySet<string> = new Set([
  "auth",
  "jobs",
  "logging",
  "realtime",
  "secrets",
  "storage",
]);

/** May a job's token insert, update or delete rows of `schema` through the data API? */
export function jobTokenMayWriteSchema(schema: string): boolean {
  return !SERVER_SCHEMAS.has(schema);
}
