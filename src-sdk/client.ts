// createClient(): the one object apps, the IDE and jobs use to reach the server.
// Accepts the guide's `createClient(url, { apiKey })` / `{ serviceKey }` and upstream's
// `createClient(url, key, options)` (compatibility §1.1).
import { AdminFilesClient } from "./admin-files.ts";
import { AdminJobsClient } from "./admin-jobs.ts";
import { AdminRealtimeClient } from "./admin-realtime.ts";
import { AdminUsersClient } from "./admin-users.ts";
import { AuthClient } from "./auth.ts";
import { HttpClient, type FetchLike } from "./http.ts";
import { JobsClient } from "./jobs.ts";
import { QueryBuilder, SchemaClient, tablePath, type Row } from "./query-builder.ts";
import { RealtimeClient } from "./realtime.ts";
import type { WebSocketConstructorLike } from "./realtime-channel.ts";
import { SessionStore } from "./session.ts";
import { AdminSecretSettingsClient, SecretSettingsClient } from "./settings.ts";
import { StorageClient } from "./storage.ts";

export interface ClientCredentials {
  /** The anon key. */
  apiKey?: string;
  /** A service key or service-role JWT: the client acts as service_role. */
  serviceKey?: string;
  /** A user access token (no key): sent as `Bearer`. */
  accessToken?: string;
}

export interface ClientOptions {
  auth?: {
    /** Initial user access token. */
    token?: string;
    /** Refresh once and retry when a request gets 401 (default true). */
    autoRefresh?: boolean;
    /** Keep the session in localStorage when it exists (default false). */
    persist?: boolean;
    storageKey?: string;
  };
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeout?: number;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: FetchLike;
  /** A WebSocket class for realtime where there is no global one (Node 20: `ws`). */
  WebSocket?: WebSocketConstructorLike;
  /** Realtime reconnect backoff: first delay and ceiling (defaults 1 s and 30 s). */
  realtime?: { backoffBaseMs?: number; backoffMaxMs?: number };
  /** Upstream's flag: treat a string key as a service key. */
  serviceRole?: boolean;
}

const URL_ENV = ["FLUXBASE_URL", "NEXT_PUBLIC_FLUXBASE_URL", "VITE_FLUXBASE_URL"];
const KEY_ENV = [
  "FLUXBASE_SERVICE_TOKEN",
  "FLUXBASE_ANON_KEY",
  "FLUXBASE_JOB_TOKEN",
  "NEXT_PUBLIC_FLUXBASE_ANON_KEY",
  "VITE_FLUXBASE_ANON_KEY",
];

/** process.env (Node) or Deno.env, whichever exists and may be read. */
function readEnv(name: string): string | undefined {
  try {
    const host = globalThis as {
      process?: { env?: Record<string, string | undefined> };
      Deno?: { env?: { get(key: string): string | undefined } };
    };
    return host.process?.env?.[name] ?? host.Deno?.env?.get(name) ?? undefined;
  } catch {
    return undefined; // Deno without --allow-env
  }
}

function firstEnv(names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = readEnv(name);
    if (value) return [name, value];
  }
  return undefined;
}

interface ResolvedCredentials {
  key: string | null;
  serviceRole: boolean;
  accessToken: string | null;
}

function resolveCredentials(
  credentials: string | ClientCredentials | undefined,
  options: ClientOptions,
): ResolvedCredentials {
  if (typeof credentials === "string") {
    return { key: credentials, serviceRole: options.serviceRole ?? false, accessToken: null };
  }
  if (credentials) {
    const key = credentials.serviceKey ?? credentials.apiKey ?? null;
    const serviceRole = credentials.serviceKey !== undefined || (options.serviceRole ?? false);
    return { key, serviceRole, accessToken: credentials.accessToken ?? null };
  }
  const fromEnv = firstEnv(KEY_ENV);
  return {
    key: fromEnv?.[1] ?? null,
    serviceRole: fromEnv?.[0] === "FLUXBASE_SERVICE_TOKEN" || (options.serviceRole ?? false),
    accessToken: null,
  };
}

export class FluxbaseClient {
  readonly url: string;
  /** True for service-key clients (service_role). */
  readonly isServiceRole: boolean;
  readonly auth: AuthClient;
  readonly jobs: JobsClient;
  readonly admin: {
    jobs: AdminJobsClient;
    users: AdminUsersClient;
    settings: AdminSecretSettingsClient;
    /** The jobs folder as files (the IDE). */
    files: AdminFilesClient;
    /** Realtime on application tables. */
    realtime: AdminRealtimeClient;
  };
  /** The signed-in user's own secrets. */
  readonly settings: SecretSettingsClient;
  readonly storage: StorageClient;
  readonly realtime: RealtimeClient;
  private readonly http: HttpClient;

  constructor(url: string, credentials: ResolvedCredentials, options: ClientOptions) {
    const session = new SessionStore({
      persist: options.auth?.persist ?? false,
      storageKey: options.auth?.storageKey ?? `fluxbase.auth.${new URL(url).host}`,
    });
    const token = options.auth?.token ?? credentials.accessToken;
    if (token)
      session.set(
        { access_token: token, refresh_token: null, token_type: "bearer", user: null },
        "SIGNED_IN",
      );
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.http = new HttpClient({
      url,
      key: credentials.key,
      serviceRole: credentials.serviceRole,
      headers: options.headers ?? {},
      timeoutMs: options.timeout ?? 30_000,
      fetch: fetchImpl,
      session,
      autoRefresh: options.auth?.autoRefresh ?? true,
    });
    this.url = this.http.baseUrl;
    this.isServiceRole = credentials.serviceRole;
    this.auth = new AuthClient(this.http, session);
    this.http.setRefreshHandler(async () => (await this.auth.refreshSession()).error === null);
    this.jobs = new JobsClient(this.http);
    this.admin = {
      jobs: new AdminJobsClient(this.http),
      users: new AdminUsersClient(this.http),
      settings: new AdminSecretSettingsClient(this.http),
      files: new AdminFilesClient(this.http),
      realtime: new AdminRealtimeClient(this.http),
    };
    this.settings = new SecretSettingsClient(this.http, "/api/v1/settings");
    this.storage = new StorageClient(this.http);
    const realtimeOptions = {
      url: this.url,
      token: () => this.http.bearerToken(),
      ...options.realtime,
    };
    this.realtime = new RealtimeClient(
      options.WebSocket ? { ...realtimeOptions, WebSocket: options.WebSocket } : realtimeOptions,
    );
    session.onChange(() => this.realtime.setAuth(this.http.bearerToken()));
  }

  /** Rows of a table: `from("orders")`, or `from("app.orders")` for another schema. */
  from<R extends Row = Row>(table: string): QueryBuilder<R> {
    return new QueryBuilder<R>(this.http, tablePath(table));
  }

  /** Tables of one schema: `schema("app").from("orders")`. */
  schema(name: string): SchemaClient {
    return new SchemaClient(this.http, name);
  }
}

/**
 * `createClient(url, { apiKey })`, `createClient(url, { serviceKey })`,
 * `createClient(url, key, options)`, or `createClient()` to read FLUXBASE_URL and a key
 * from the environment (FLUXBASE_SERVICE_TOKEN, FLUXBASE_ANON_KEY, FLUXBASE_JOB_TOKEN, …).
 */
export function createClient(
  url?: string,
  credentials?: string | ClientCredentials,
  options: ClientOptions = {},
): FluxbaseClient {
  const resolvedUrl = url ?? firstEnv(URL_ENV)?.[1];
  if (!resolvedUrl) throw new Error("createClient: a server URL is required (or set FLUXBASE_URL)");
  return new FluxbaseClient(resolvedUrl, resolveCredentials(credentials, options), options);
}
