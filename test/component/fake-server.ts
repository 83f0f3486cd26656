// A fake Fluxbase Local server for component tests: an in-memory state answered over the
// SDK's `fetch` option (shapes of src-sdk/types.ts), plus a fake WebSocket for realtime.
// The client it builds is installed as the app's one client with setApiClient().
import { setApiClient } from "../../src-renderer/api.ts";
import { fakeFetch, jsonResponse, type RecordedRequest } from "../helpers/fake-fetch.ts";
import {
  createClient,
  type AuthUser,
  type FluxbaseClient,
  type Job,
  type JobFileEntry,
  type ScheduleInfo,
  type SecretMetadata,
  type Worker,
} from "../../src-sdk/index.ts";
import type { JobStats } from "../../src-sdk/types.ts";

export const URL_BASE = "http://fluxbase.test";

let seq = 0;
const nextId = (prefix: string): string =>
  `${prefix}-${String(++seq).padStart(4, "0")}-0000-0000-000000000000`;

export function makeJob(over: Partial<Job> = {}): Job {
  return {
    id: nextId("job"),
    namespace: "default",
    job_name: "process-data",
    status: "pending",
    priority: 0,
    max_retries: 0,
    retry_count: 0,
    created_at: new Date().toISOString(),
    ...over,
  };
}

export function makeUser(over: Partial<AuthUser> = {}): AuthUser {
  return {
    id: nextId("user"),
    email: "ada@example.com",
    role: "authenticated",
    user_metadata: {},
    app_metadata: {},
    created_at: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

export function makeSecret(key: string, over: Partial<SecretMetadata> = {}): SecretMetadata {
  return {
    id: nextId("secret"),
    key,
    version: 1,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    ...over,
  };
}

export function makeSchedule(name: string, over: Partial<ScheduleInfo> = {}): ScheduleInfo {
  return {
    namespace: "default",
    name,
    schedule: "0 2 * * *",
    timezone: null,
    paused: false,
    enabled: true,
    next_runs: ["2026-01-02T02:00:00.000Z"],
    last_fired_at: null,
    last_job_id: null,
    allow_overlap: false,
    ...over,
  };
}

export function stats(
  over: Partial<Record<"pending" | "running" | "completed" | "failed" | "cancelled", number>> = {},
): JobStats {
  const c = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, ...over };
  const total = c.pending + c.running + c.completed + c.failed + c.cancelled;
  return {
    total_jobs: total,
    pending_jobs: c.pending,
    running_jobs: c.running,
    completed_jobs: c.completed,
    failed_jobs: c.failed,
    cancelled_jobs: c.cancelled,
    avg_duration_seconds: 0,
    jobs_by_status: [],
    jobs_by_day: [],
    jobs_by_function: [],
    total,
    ...c,
  };
}

/** What the fake server holds; tests seed and inspect it. */
export interface ServerState {
  jobs: Job[];
  workers: Worker[];
  stats: JobStats;
  users: AuthUser[];
  systemSecrets: (SecretMetadata & { value: string })[];
  userSecrets: (SecretMetadata & { value: string })[];
  files: Record<string, string>;
  schedules: ScheduleInfo[];
  /** Accounts that can sign in: email → password. */
  accounts: Record<string, string>;
  /** "METHOD /path" → a status and error body to answer with instead. */
  failures: Record<string, { status: number; error: string }>;
  /** A job's attempts (GET …/:id/attempts), by job id; none by default. */
  attempts?: Record<string, unknown[]>;
  /**
   * "METHOD /path" → the answer, made from the state as the request came, is given only
   * once this settles (a request in flight while the state changes).
   */
  holds?: Record<string, Promise<void>>;
}

export function emptyState(): ServerState {
  return {
    jobs: [],
    workers: [],
    stats: stats(),
    users: [],
    systemSecrets: [],
    userSecrets: [],
    files: {},
    schedules: [],
    accounts: {},
    failures: {},
  };
}

const strip = <T extends { value: string }>(s: T): Omit<T, "value"> => {
  const { value: _value, ...meta } = s;
  return meta;
};

function route(state: ServerState, req: RecordedRequest): Response {
  const path = req.url.pathname;
  const q = req.url.searchParams;
  const body = (req.json ?? {}) as Record<string, unknown>;
  const failure = state.failures[`${req.method} ${path}`];
  if (failure) return jsonResponse({ error: failure.error }, failure.status);
  let m: RegExpMatchArray | null;

  // Auth
  if (req.method === "POST" && path === "/api/v1/auth/signin") {
    const email = String(body.email);
    if (state.accounts[email] !== body.password)
      return jsonResponse({ error: "Invalid email or password" }, 401);
    const user = state.users.find((u) => u.email === email) ?? makeUser({ email, role: "admin" });
    return jsonResponse({
      user,
      access_token: "access-token",
      refresh_token: "refresh-token",
      expires_in: 3600,
      token_type: "bearer",
    });
  }
  if (req.method === "POST" && path === "/api/v1/auth/signout")
    return jsonResponse({ message: "ok" });
  if (req.method === "GET" && path === "/api/v1/auth/user") {
    const user = state.users[0];
    return user ? jsonResponse(user) : jsonResponse({ error: "Unauthorized" }, 401);
  }

  // Jobs
  if (req.method === "POST" && path === "/api/v1/jobs/submit") {
    const job = makeJob({
      job_name: String(body.job_name),
      payload: body.payload as Job["payload"],
    });
    state.jobs.push(job);
    return jsonResponse(job, 201);
  }
  // A user's own runs (/api/v1/jobs) answer from the same queue as the admin list.
  if (req.method === "GET" && (path === "/api/v1/admin/jobs/queue" || path === "/api/v1/jobs")) {
    const list = state.jobs.filter(
      (j) =>
        (!q.get("status") || j.status === q.get("status")) &&
        (!q.get("job_name") || j.job_name === q.get("job_name")) &&
        (!q.get("namespace") || j.namespace === q.get("namespace")) &&
        (!q.get("search") ||
          JSON.stringify(j).toLowerCase().includes(q.get("search")!.toLowerCase())),
    );
    list.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const offset = Number(q.get("offset") ?? 0);
    const limit = Number(q.get("limit") ?? 50);
    const page = list.slice(offset, offset + limit);
    return jsonResponse({ jobs: page, limit, offset, total: list.length });
  }
  if ((m = path.match(/^\/api\/v1\/(?:admin\/jobs\/queue|jobs)\/([^/]+)(?:\/(\w+))?$/))) {
    const job = state.jobs.find((j) => j.id === decodeURIComponent(m![1]!));
    if (!job) return jsonResponse({ error: "Job not found" }, 404);
    const action = m[2];
    if (!action && req.method === "GET") return jsonResponse(job);
    if (action === "logs") return jsonResponse({ logs: [], count: 0 });
    if (action === "attempts") return jsonResponse({ attempts: state.attempts?.[job.id] ?? [] });
    if (action === "cancel" || action === "terminate") {
      job.status = "cancelled";
      job.completed_at = new Date().toISOString();
      return jsonResponse({ message: "Job cancelled" });
    }
    if (action === "retry" || action === "resubmit") {
      const copy = makeJob({ job_name: job.job_name, payload: job.payload, retried_from: job.id });
      state.jobs.push(copy);
      return jsonResponse(copy, 201);
    }
  }
  if (req.method === "GET" && path === "/api/v1/admin/jobs/stats") return jsonResponse(state.stats);
  if (req.method === "GET" && path === "/api/v1/admin/jobs/workers")
    return jsonResponse({ workers: state.workers });
  if (req.method === "GET" && path === "/api/v1/admin/jobs/functions")
    return jsonResponse({ functions: [] });

  // Schedules
  if (req.method === "GET" && path === "/api/v1/admin/jobs/schedules")
    return jsonResponse({ schedules: state.schedules });
  if ((m = path.match(/^\/api\/v1\/admin\/jobs\/schedules\/([^/]+)\/([^/]+)\/(\w+)$/))) {
    const s = state.schedules.find((x) => x.namespace === m![1] && x.name === m![2]);
    if (!s) return jsonResponse({ error: "Schedule not found" }, 404);
    if (m[3] === "pause" || m[3] === "resume") {
      s.paused = m[3] === "pause";
      return jsonResponse(s);
    }
    const job = makeJob({
      job_name: s.name,
      namespace: s.namespace,
      payload: { _trigger: "manual" },
    });
    state.jobs.push(job);
    return jsonResponse(job, 201);
  }

  // Files
  if (req.method === "GET" && path === "/api/v1/admin/jobs/files") {
    const entries: JobFileEntry[] = Object.entries(state.files).map(([p, content]) => ({
      path: p,
      type: "file",
      size: content.length,
      mtime: "2026-01-01T00:00:00.000Z",
    }));
    return jsonResponse({ entries });
  }
  if (req.method === "POST" && path === "/api/v1/admin/jobs/files/rename") {
    const from = String(body.from);
    const to = String(body.to);
    state.files[to] = state.files[from] ?? "";
    delete state.files[from];
    return jsonResponse({ path: to });
  }
  if ((m = path.match(/^\/api\/v1\/admin\/jobs\/files\/(.+)$/))) {
    const p = decodeURIComponent(m[1]!);
    if (req.method === "GET") {
      const content = state.files[p];
      return content === undefined
        ? jsonResponse({ error: "File not found" }, 404)
        : jsonResponse({ path: p, content });
    }
    if (req.method === "PUT") {
      state.files[p] = String(body.content ?? "");
      return jsonResponse({
        path: p,
        size: state.files[p].length,
        mtime: new Date().toISOString(),
      });
    }
    if (req.method === "DELETE") {
      delete state.files[p];
      return new Response(null, { status: 204 });
    }
  }

  // Secrets (system: admin settings; user: own settings)
  for (const [base, list] of [
    ["/api/v1/admin/settings/custom", state.systemSecrets],
    ["/api/v1/settings", state.userSecrets],
  ] as const) {
    if (req.method === "GET" && path === `${base}/secrets`) return jsonResponse(list.map(strip));
    if (req.method === "POST" && path === `${base}/secret`) {
      const s = { ...makeSecret(String(body.key)), value: String(body.value) };
      if (body.description) s.description = String(body.description);
      list.push(s);
      return jsonResponse(strip(s), 201);
    }
    if ((m = path.match(new RegExp(`^${base}/secret/([^/]+)(/value)?$`)))) {
      const key = decodeURIComponent(m[1]!);
      const i = list.findIndex((s) => s.key === key);
      const s = list[i];
      if (!s) return jsonResponse({ error: "Secret not found" }, 404);
      if (m[2] && req.method === "GET") return jsonResponse({ value: s.value });
      if (req.method === "PUT") {
        if (typeof body.value === "string") s.value = body.value;
        if (typeof body.description === "string") s.description = body.description;
        s.version += 1;
        return jsonResponse(strip(s));
      }
      if (req.method === "DELETE") {
        list.splice(i, 1);
        return new Response(null, { status: 204 });
      }
    }
  }

  // Users
  if (path === "/api/v1/admin/users") {
    if (req.method === "GET") return jsonResponse({ users: state.users });
    if (req.method === "POST") {
      if (state.users.some((u) => u.email === body.email))
        return jsonResponse({ error: "A user with this email already exists" }, 409);
      const user = makeUser({
        email: String(body.email),
        role: String(body.role ?? "authenticated"),
      });
      state.users.push(user);
      return jsonResponse(user, 201);
    }
  }
  if ((m = path.match(/^\/api\/v1\/admin\/users\/([^/]+)$/))) {
    const i = state.users.findIndex((u) => u.id === decodeURIComponent(m![1]!));
    const user = state.users[i];
    if (!user) return jsonResponse({ error: "User not found" }, 404);
    if (req.method === "PATCH") {
      user.role = String(body.role);
      return jsonResponse(user);
    }
    if (req.method === "DELETE") {
      state.users.splice(i, 1);
      return new Response(null, { status: 204 });
    }
  }

  return jsonResponse({ error: `no fake route for ${req.method} ${path}` }, 404);
}

/** A WebSocket stand-in: opens when the test says so, acks subscribes, relays pushes. */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly url: string;
  readonly sent: Record<string, unknown>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeSocket.instances.push(this);
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  send(data: string): void {
    const message = JSON.parse(data) as Record<string, unknown>;
    this.sent.push(message);
    if (message.type === "subscribe") this.push({ type: "ack", payload: { subscribed: true } });
  }

  close(): void {
    this.readyState = 3;
  }

  /** A server message. */
  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** A jobs.queue row change, as §3.3 sends it. */
  pushJob(type: "INSERT" | "UPDATE", record: Job): void {
    this.push({
      type: "postgres_changes",
      payload: { type, schema: "jobs", table: "queue", record, old_record: null },
    });
  }

  static last(): FakeSocket {
    const socket = FakeSocket.instances.at(-1);
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }
}

export interface FakeServer {
  state: ServerState;
  client: FluxbaseClient;
  requests: RecordedRequest[];
  /** Requests with this method and path, e.g. ("POST", "/api/v1/admin/jobs/queue/x/cancel"). */
  calls(method: string, path: string): RecordedRequest[];
}

/** A fresh fake server and the app's client on it (installed with setApiClient). */
export function fakeServer(seed: Partial<ServerState> = {}): FakeServer {
  const state = { ...emptyState(), ...seed };
  const fetch = fakeFetch(async (req) => {
    const answer = route(state, req);
    await state.holds?.[`${req.method} ${req.url.pathname}`];
    return answer;
  });
  FakeSocket.instances = [];
  const client = createClient(URL_BASE, { apiKey: "anon-key" }, { fetch, WebSocket: FakeSocket });
  setApiClient(client, "0.1.0-test");
  return {
    state,
    client,
    requests: fetch.requests,
    calls: (method, path) =>
      fetch.requests.filter((r) => r.method === method && r.url.pathname === path),
  };
}
