// Malformed requests for the fuzz test, from a seeded generator (a failure names its seed
// and request, and reruns the same way). Every request is refused by design: its path
// parameters are bad, or its body is, or it carries a NUL in its query. So a request that
// stores anything or answers 5xx is a server bug.
import http from "node:http";

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast and good enough to pick test inputs. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

export interface FuzzRequest {
  method: string;
  /** Sent as is (already percent-encoded where it must be). */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What kind of malformation, for failure messages. */
  kind: string;
}

/**
 * Path parameter values (percent-encoded): not ids, huge, traversal plain and encoded, NUL,
 * invalid UTF-8 (an encoded lone surrogate), overlong encodings.
 */
export const BAD_PARAMS: readonly string[] = [
  "not%20a%20uuid",
  "-1",
  "-99999999999999999999999",
  "x".repeat(3000),
  "%00",
  "a%00b",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "%ED%A0%80",
  "%C0%AE%C0%AE",
  "%FF%FE",
  "%20",
  "'%20OR%20'1'%3D'1",
  "%3Cscript%3E",
  "%5C..%5C..%5Cwindows",
  "a%2Fb",
];

/**
 * Segments no path may hold: traversal, NUL, a backslash, 500 characters. (A whole `..`
 * or `%2e%2e` segment is resolved by URL parsing before routing, which can turn a bad
 * request into a good one; those are in TRAVERSAL_PATHS, whose outcome is fixed.)
 */
export const INVALID_PATH_SEGMENTS: readonly string[] = [
  "..%2f..",
  ".%2e%2f.%2e",
  "%2e%2e%2f%2e%2e%2fetc",
  "a%00b.ts",
  "%5C..%5Cx.ts",
  `${"n".repeat(496)}.ts`,
];

/** Extra segments for `*path` parameters: the invalid ones, dotfiles, odd names. */
export const BAD_PATH_SEGMENTS: readonly string[] = [
  ...INVALID_PATH_SEGMENTS,
  ".env",
  ".hidden.ts",
  "node_modules",
  "%ED%A0%80.ts",
  "x.exe",
];

/**
 * String values for JSON fields. None is a valid name of anything (function, namespace,
 * bucket, secret, email, table): each has a space, a slash, a NUL, a surrogate or is too long.
 */
export const BAD_STRINGS: readonly string[] = [
  "",
  " ",
  "a b",
  "../../etc/passwd",
  "..\\..\\x",
  "%00",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "x".repeat(5000),
  "2026-13-45T99:99:99Z",
  "😀 ünïcödé",
  "@every 1s",
  "0 0 31 2 *",
  "*/0 * * * *",
];

/** Strings PostgreSQL cannot store. */
export const UNSTORABLE_STRINGS: readonly string[] = ["a\u0000b", "\u0000", "\ud800", "x\udfffy"];

/** Values of the wrong type or out of range (never a boolean: booleans are valid flags). */
export const BAD_VALUES: readonly unknown[] = [
  -1,
  0,
  1.5,
  -999_999_999_999,
  2 ** 53 + 1,
  1e308,
  [],
  [1, "a", null],
  {},
  { $ne: null },
  { __proto__: { admin: true } },
  null,
  ...BAD_STRINGS,
];

/** Field names the API reads somewhere; a fuzzed body uses some of them. */
export const KNOWN_FIELDS: readonly string[] = [
  "job_name",
  "namespace",
  "payload",
  "priority",
  "scheduled_at",
  "scheduled",
  "on_behalf_of",
  "email",
  "password",
  "user_metadata",
  "options",
  "refresh_token",
  "role",
  "code",
  "original_code",
  "name",
  "id",
  "description",
  "enabled",
  "schedule",
  "timeout_seconds",
  "memory_limit_mb",
  "max_retries",
  "progress_timeout_seconds",
  "allow_net",
  "require_roles",
  "require_role",
  "is_bundled",
  "jobs",
  "functions",
  "file_name",
  "entry",
  "key",
  "value",
  "content",
  "from",
  "to",
  "public",
  "file_size_limit",
  "allowed_mime_types",
  "expires_in",
];

/** Query parameters the API reads; each gets a bad value. */
export const KNOWN_QUERY: readonly string[] = [
  "limit",
  "offset",
  "status",
  "namespace",
  "job_name",
  "include_result",
  "after_line",
  "select",
  "order",
  "or",
  "prefix",
  "token",
  "count",
  "on_conflict",
  "worker_id",
];

const BAD_QUERY_VALUES: readonly string[] = [
  "-1",
  "1e999",
  "99999999999999999999",
  "abc",
  "%00",
  "%ED%A0%80",
  "(",
  "eq.",
  "not.in.(a,",
  "*".repeat(500),
  Array(2000).fill("id").join(","),
  `${"and(".repeat(300)}a.eq.1${")".repeat(300)}`,
];

export const BAD_JSON: readonly string[] = [
  "{",
  "[",
  '{"a":',
  "nul",
  '"unterminated',
  "{'a':1}",
  "{}{}",
  "\ufeff{}",
  "1e999",
  '{"a":1e999}',
  "[1,]",
];

export const CONTENT_TYPES: readonly string[] = [
  "application/json",
  "text/plain",
  "multipart/form-data; boundary=----x",
  "application/x-www-form-urlencoded",
  "application/octet-stream",
];

/** A JSON object of some known fields with bad values, sometimes nested. */
export function fieldBody(rng: Rng, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = 1 + rng.int(5);
  for (let i = 0; i < count; i++) {
    const field = rng.pick(KNOWN_FIELDS);
    out[field] = depth < 2 && rng.chance(0.15) ? fieldBody(rng, depth + 1) : rng.pick(BAD_VALUES);
  }
  if (rng.chance(0.1)) out.jobs = [fieldBody(rng, depth + 1)];
  return out;
}

export function deepBody(levels: number): string {
  return `{"payload":${"[".repeat(levels)}${"]".repeat(levels)}}`;
}

/** A body with an unstorable string at `field` (sometimes nested in payload). */
export function unstorableBody(rng: Rng, field: string): string {
  const bad = rng.pick(UNSTORABLE_STRINGS);
  const value = rng.chance(0.3) ? { items: ["ok", bad] } : bad;
  return JSON.stringify({ ...fieldBody(rng), [field]: value });
}

/** A random body: bad JSON, a wrong type, bad fields, deep nesting or random bytes. */
export function randomBody(rng: Rng): { body: string | Buffer; kind: string } {
  const roll = rng.int(7);
  if (roll === 0) return { body: rng.pick(BAD_JSON), kind: "bad JSON" };
  if (roll === 1) return { body: JSON.stringify(rng.pick(BAD_VALUES)), kind: "wrong type" };
  if (roll === 2) return { body: deepBody(rng.pick([200, 5000])), kind: "deep nesting" };
  if (roll === 3) {
    const bytes = Buffer.alloc(64 + rng.int(512));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    return { body: bytes, kind: "random bytes" };
  }
  if (roll === 4)
    return { body: unstorableBody(rng, rng.pick(KNOWN_FIELDS)), kind: "unstorable string" };
  return { body: JSON.stringify(fieldBody(rng)), kind: "bad fields" };
}

export function badQuery(rng: Rng): string {
  const parts: string[] = [];
  const count = rng.int(3);
  for (let i = 0; i < count; i++)
    parts.push(`${rng.pick(KNOWN_QUERY)}=${rng.pick(BAD_QUERY_VALUES)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** `pattern` with every `:param` and `*param` replaced by bad values. */
export function badPath(rng: Rng, pattern: string): string {
  return pattern
    .split("/")
    .map((seg) => {
      if (seg.startsWith(":")) return rng.pick(BAD_PARAMS);
      if (seg.startsWith("*")) {
        // Odd segments around at least one that no route may accept.
        const parts = Array.from({ length: rng.int(3) }, () => rng.pick(BAD_PATH_SEGMENTS));
        parts.splice(rng.int(parts.length + 1), 0, rng.pick(INVALID_PATH_SEGMENTS));
        return parts.join("/");
      }
      return seg;
    })
    .join("/");
}

/** `pattern` with its parameters filled from `values` (real rows), then a NUL in the query. */
export function realPathWithNulQuery(
  rng: Rng,
  pattern: string,
  values: (param: string) => string,
): string {
  const path = pattern
    .split("/")
    .map((seg) => (seg.startsWith(":") || seg.startsWith("*") ? values(seg.slice(1)) : seg))
    .join("/");
  return `${path}${rng.pick(["?x=a%00b", "?a%00=1", "?limit=%00", "?select=id%00"])}`;
}

export const TRAVERSAL_PATHS: readonly string[] = [
  "/api/v1/../../../etc/passwd",
  "/api/v1/%2e%2e/%2e%2e/etc/passwd",
  "/api/v1/admin/jobs/files/..%2f..%2f..%2fetc%2fpasswd",
  "/api/v1/admin/jobs/files/%2e%2e/%2e%2e/secrets.key",
  "/api/v1/storage/b/..%2f..%2fsecrets.key",
  "/api/v1/storage/object/sign/b/%2e%2e%2f%2e%2e%2fsecrets.key?token=x",
  "/%00",
  "/api/v1/jobs/%00",
  "/api/v1/jobs%00/submit",
  "//etc/passwd",
  "/api/v1/tables/..%2f..%2fpg_authid",
  "/api/v1/tables/pg_catalog.pg_authid",
  "/api/v1/tables/pg_catalog/pg_authid",
  "/api/v1/admin/jobs/files/%ED%A0%80.ts",
];

export interface FuzzAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request over node:http, so paths go out exactly as written (fetch would normalise `..`). */
export function sendRaw(baseUrl: string, req: FuzzRequest, agent: http.Agent): Promise<FuzzAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: {
          ...req.headers,
          ...(req.body !== undefined
            ? { "content-length": String(Buffer.byteLength(req.body)) }
            : {}),
        },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}
