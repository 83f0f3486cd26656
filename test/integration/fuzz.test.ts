// Fuzz: thousands of malformed requests over every route the router knows (listed from the
// router itself, so a new route is covered without editing this file), as an admin, a
// user, the anon key, nobody and forged tokens. Bad JSON, wrong types, NUL bytes and lone surrogates in
// every field, deep and huge bodies, bad ids, traversal. Asserts: no 5xx, every 4xx has a
// JSON {error}, /health still answers, and nothing stored changed (tables and files).
// Seeded: FUZZ_SEED=<n> reruns one sequence; a failure prints its seed and requests.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteInfo } from "../../src-server/http/router.ts";
import {
  BAD_STRINGS,
  badPath,
  badQuery,
  CONTENT_TYPES,
  deepBody,
  KNOWN_FIELDS,
  randomBody,
  realPathWithNulQuery,
  seededRng,
  sendRaw,
  TRAVERSAL_PATHS,
  unstorableBody,
  type FuzzAnswer,
  type FuzzRequest,
  type Rng,
} from "../helpers/fuzz.ts";
import { api } from "../helpers/secrets.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const MAX_PAYLOAD_BYTES = 20_000;

let t: TestStack;
let agent: http.Agent;
const ids = { job: "", user: "", adminToken: "", userToken: "" };

const handler = "export function handler() { return null; }";

beforeAll(async () => {
  t = await startTestStack({
    jobs: {
      "noop.ts": handler,
      // Never due while the test runs (29 February only), so the scheduler writes nothing.
      "nightly.ts": `// @fluxbase:schedule 0 0 29 2 *\n${handler}`,
    },
    jobsConfig: { embeddedWorkerCount: 0, maxPayloadBytes: MAX_PAYLOAD_BYTES },
  });
  agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const service = t.stack.keys.serviceKey;
  const admin = await api(t.url, "/api/v1/admin/users", {
    method: "POST",
    token: service,
    body: { email: "admin@fuzz.test", password: "correct horse", role: "admin" },
  });
  expect(admin.status).toBe(201);
  const signIn = await api(t.url, "/api/v1/auth/signin", {
    method: "POST",
    body: { email: "admin@fuzz.test", password: "correct horse" },
  });
  ids.adminToken = signIn.body.access_token;
  const user = await api(t.url, "/api/v1/auth/signup", {
    method: "POST",
    token: t.stack.keys.anonKey,
    body: { email: "user@fuzz.test", password: "correct horse" },
  });
  ids.userToken = user.body.access_token;
  ids.user = user.body.user.id;
  const job = await api(t.url, "/api/v1/jobs/submit", {
    method: "POST",
    token: ids.userToken,
    body: { job_name: "noop", payload: { n: 1 } },
  });
  expect(job.status).toBe(201);
  ids.job = job.body.id;
  for (const [route, token] of [
    ["/api/v1/admin/settings/custom/secret", service],
    ["/api/v1/settings/secret", ids.userToken],
  ] as const) {
    const res = await api(t.url, route, {
      method: "POST",
      token,
      body: { key: "FUZZ_KEY", value: "v" },
    });
    expect(res.status).toBe(201);
  }
  const bucket = await api(t.url, "/api/v1/storage/buckets", {
    method: "POST",
    token: service,
    body: { name: "fuzz-bucket" },
  });
  expect(bucket.status).toBe(201);
  const upload = await fetch(`${t.url}/api/v1/storage/fuzz-bucket/dir/file.txt`, {
    method: "POST",
    headers: { authorization: `Bearer ${service}`, "content-type": "text/plain" },
    body: "hello",
  });
  expect(upload.status).toBe(201);
});

afterAll(async () => {
  agent?.destroy();
  await t?.stop();
});

/** Real values for a route's parameters (the request is then refused for its query). */
function realParam(pattern: string, param: string): string {
  if (pattern.includes("/admin/users")) return ids.user;
  if (pattern.startsWith("/api/v1/tables"))
    return param === "schema" ? "jobs" : param === "table" ? "functions" : "x";
  if (pattern.includes("/storage")) return param === "path" ? "dir/file.txt" : "fuzz-bucket";
  if (pattern.includes("/jobs/files")) return "noop.ts";
  if (pattern.includes("secret")) return "FUZZ_KEY";
  if (param === "id") return ids.job;
  if (param === "namespace") return "default";
  if (param === "name") return pattern.includes("schedules") ? "nightly" : "noop";
  return "x";
}

const WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function headersFor(token: string | undefined, rng: Rng, body: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body)
    headers["content-type"] = rng.chance(0.7) ? "application/json" : rng.pick(CONTENT_TYPES);
  return headers;
}

function generate(
  routes: RouteInfo[],
  identities: [string, string | undefined][],
  rng: Rng,
): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const [who, token] of identities) {
    for (const { method, pattern } of routes) {
      const hasParams = /[:*]/.test(pattern);
      const body = WITH_BODY.has(method);
      // Bad parameters (or, for routes without any, the bare route) with a bad query and body.
      for (let i = 0; i < 3; i++) {
        const b = body ? randomBody(rng) : undefined;
        out.push({
          method,
          path: badPath(rng, pattern) + badQuery(rng),
          headers: headersFor(token, rng, body),
          body: b?.body,
          kind: `${who}: bad params/${b?.kind ?? "no body"}`,
        });
      }
      // Real rows in the path, refused for a NUL in the query.
      if (hasParams) {
        out.push({
          method,
          path: realPathWithNulQuery(rng, pattern, (p) => realParam(pattern, p)),
          headers: headersFor(token, rng, body),
          body: body ? JSON.stringify({ value: rng.pick(BAD_STRINGS) }) : undefined,
          kind: `${who}: NUL in query on real rows`,
        });
      }
      // Reads of real rows with bad query parameters (reads change nothing either way).
      if (method === "GET" || method === "HEAD") {
        const path = pattern
          .split("/")
          .map((seg) => (/^[:*]/.test(seg) ? realParam(pattern, seg.slice(1)) : seg))
          .join("/");
        for (let i = 0; i < 2; i++) {
          out.push({
            method,
            path: path + (badQuery(rng) || "?limit=-1"),
            headers: headersFor(token, rng, false),
            kind: `${who}: bad query on real rows`,
          });
        }
      }
      // Real rows with no other fault, for callers who may not touch them.
      if (hasParams && who !== "admin" && who !== "user") {
        const path = pattern
          .split("/")
          .map((seg) => (/^[:*]/.test(seg) ? realParam(pattern, seg.slice(1)) : seg))
          .join("/");
        out.push({
          method,
          path,
          headers: headersFor(token, rng, body),
          body: body ? "{}" : undefined,
          kind: `${who}: real rows`,
        });
      }
      if (!body) continue;
      // A body over the size limit, and one nested 5,000 levels deep.
      out.push({
        method,
        path: badPath(rng, pattern),
        headers: headersFor(token, rng, true),
        body: JSON.stringify({ payload: "x".repeat(MAX_PAYLOAD_BYTES * 3 + 70_000) }),
        kind: `${who}: huge body`,
      });
      out.push({
        method,
        path: badPath(rng, pattern),
        headers: headersFor(token, rng, true),
        body: deepBody(5000),
        kind: `${who}: deep body`,
      });
      // NUL bytes and lone surrogates in every known field (signed-in callers reach the handlers).
      if (who !== "admin" && who !== "user") continue;
      for (const field of KNOWN_FIELDS) {
        out.push({
          method,
          path: badPath(rng, pattern),
          headers: headersFor(token, rng, true),
          body: unstorableBody(rng, field),
          kind: `${who}: unstorable ${field}`,
        });
      }
    }
    for (const p of TRAVERSAL_PATHS) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        out.push({
          method,
          path: p,
          headers: headersFor(token, rng, method === "PUT"),
          body: method === "PUT" ? "{}" : undefined,
          kind: `${who}: traversal`,
        });
      }
    }
  }
  return out;
}

const TABLES = [
  "jobs.queue",
  "jobs.functions",
  "jobs.function_files",
  "jobs.schedule_state",
  "auth.users",
  "secrets.secrets",
  "storage.buckets",
  "storage.objects",
];

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else
        out.push(
          `${path.relative(root, full)} ${createHash("sha1")
            .update(await readFile(full))
            .digest("hex")}`,
        );
    }
  };
  await walk(root);
  return out.sort();
}

async function snapshot(): Promise<Record<string, string | string[]>> {
  const out: Record<string, string | string[]> = {};
  for (const table of TABLES) {
    const [row] = await t.stack.db.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM ${table} t`,
    );
    out[table] = `${row!.n} rows, ${row!.h}`;
  }
  out.jobsFolder = await files(t.jobsDir);
  out.storageFiles = await files(path.join(t.config.dataDir, "storage"));
  return out;
}

async function runAll(requests: FuzzRequest[], concurrency: number): Promise<FuzzAnswer[]> {
  const answers: FuzzAnswer[] = new Array(requests.length);
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const i = next++;
      answers[i] = await sendRaw(t.url, requests[i]!, agent).catch((err: Error) => ({
        status: 0,
        headers: {},
        text: `request failed: ${err.message}`,
      }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}

function describeRequest(r: FuzzRequest, a: FuzzAnswer): string {
  const body = r.body === undefined ? "" : ` body=${String(r.body).slice(0, 120)}`;
  return `[${r.kind}] ${r.method} ${r.path.slice(0, 160)}${body} -> ${a.status} ${a.text.slice(0, 200)}`;
}

describe(`fuzz (seed ${SEED})`, () => {
  it(
    "refuses every malformed request with a JSON 4xx, stays healthy and changes nothing",
    { timeout: 300_000 },
    async () => {
      const routes = t.stack.routes;
      expect(routes.length).toBeGreaterThan(60);
      expect(routes).toContainEqual({ method: "POST", pattern: "/api/v1/jobs/submit" });
      const identities: [string, string | undefined][] = [
        ["admin", ids.adminToken],
        ["user", ids.userToken],
        ["anon", t.stack.keys.anonKey],
        ["none", undefined],
        // An unsigned token claiming the service role, and a token that is no JWT at all.
        ["forged", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb2xlIjoic2VydmljZV9yb2xlIn0."],
        ["garbage", "not-a-jwt"],
      ];
      const requests = generate(routes, identities, seededRng(SEED));
      expect(requests.length).toBeGreaterThanOrEqual(500);
      // Nothing in the bad-value pools may be a valid name (a bucket, namespace, function).
      for (const s of BAD_STRINGS)
        expect(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(s), s).toBe(false);

      const before = await snapshot();
      const answers = await runAll(requests, 8);

      const failures: string[] = [];
      const unexplained: string[] = [];
      const accepted: string[] = [];
      const statuses = new Map<number, number>();
      answers.forEach((a, i) => {
        const r = requests[i]!;
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status < 300 && r.method !== "GET" && r.method !== "HEAD")
          accepted.push(`${r.method} ${r.path.split("?")[0]!.slice(0, 80)}`);
        if (a.status >= 500 || a.status === 0) failures.push(describeRequest(r, a));
        else if (a.status >= 400 && r.method !== "HEAD") {
          let error: unknown;
          try {
            error = (JSON.parse(a.text) as { error?: unknown }).error;
          } catch {
            error = undefined;
          }
          if (typeof error !== "string" || !error) unexplained.push(describeRequest(r, a));
        }
      });
      console.log(
        `fuzz seed ${SEED}: ${requests.length} requests over ${routes.length} routes; statuses`,
        Object.fromEntries([...statuses].sort()),
      );
      // Routes that read neither params nor body (sign-out, a folder sync) may answer 2xx.
      const acceptedByRoute = accepted.reduce<Record<string, number>>(
        (m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }),
        {},
      );
      console.log("2xx answers to writes (must change nothing stored):", acceptedByRoute);
      expect(failures, `seed ${SEED}: 5xx answers`).toEqual([]);
      expect(unexplained, `seed ${SEED}: 4xx without a JSON error`).toEqual([]);

      const health = await fetch(`${t.url}/health`);
      expect(health.status).toBe(200);
      expect(await snapshot()).toEqual(before);
    },
  );
});
