// One place that talks HTTP: headers (compatibility §1.1), timeouts, body parsing, error
// mapping and the refresh-once-on-401 retry. Everything above it gets `{ data, error }`.
import { errorFromBody, FluxbaseError, networkError, timeoutError, type Result } from "./errors.ts";
import type { SessionStore } from "./session.ts";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpClientOptions {
  /** Server origin (and optional base path), e.g. "http://localhost:8080". */
  url: string;
  /** anon key, service key or null (token-only clients). */
  key: string | null;
  /** True when `key` is a service key (sends X-Service-Key for opaque `sk_` keys). */
  serviceRole: boolean;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchLike;
  session: SessionStore;
  autoRefresh: boolean;
}

export interface RequestOptions {
  query?: Record<string, QueryValue> | URLSearchParams;
  /** Plain values are sent as JSON; FormData, Blob, ArrayBuffer and strings as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How to read a successful body. Error bodies are always read as JSON or text. */
  responseType?: "json" | "blob";
  /** Internal: no refresh-and-retry (used by the auth calls themselves and the retry). */
  noRefresh?: boolean;
  signal?: AbortSignal;
}

/** A Result plus what the query builder needs from the response. */
export type HttpResult<T> = Result<T> & {
  status: number;
  statusText: string;
  headers: Headers | null;
};

/** Returns true when a new access token is in place. */
export type RefreshHandler = () => Promise<boolean>;

function isRawBody(body: unknown): body is BodyInit {
  return (
    typeof body === "string" ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams)
  );
}

function isJwt(value: string): boolean {
  return value.startsWith("eyJ") && value.split(".").length === 3;
}

async function readBody(response: Response, asBlob: boolean): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return null;
  if (asBlob) return response.blob();
  const text = await response.text();
  if (text === "") return null;
  const type = response.headers.get("content-type") ?? "";
  const looksJson = /^\s*[[{"]/.test(text);
  if (type.includes("json") || looksJson) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly options: HttpClientOptions;
  private refreshHandler: RefreshHandler | null = null;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.baseUrl = options.url.replace(/\/+$/, "");
  }

  get key(): string | null {
    return this.options.key;
  }

  setRefreshHandler(handler: RefreshHandler): void {
    this.refreshHandler = handler;
  }

  /** The token realtime and Authorization use: the user's access token, else the key. */
  bearerToken(): string | null {
    return this.options.session.accessToken() ?? this.options.key;
  }

  buildUrl(path: string, query?: Record<string, QueryValue> | URLSearchParams): string {
    const url = new URL(this.baseUrl + path);
    if (query instanceof URLSearchParams) {
      query.forEach((value, name) => url.searchParams.append(name, value));
    } else if (query) {
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
      }
    }
    return url.toString();
  }

  buildHeaders(extra: Record<string, string> | undefined, jsonBody: boolean): Headers {
    const headers = new Headers();
    const { key, serviceRole } = this.options;
    if (key) headers.set("apikey", key);
    const bearer = this.bearerToken();
    if (bearer) headers.set("Authorization", `Bearer ${bearer}`);
    // Opaque service keys are not JWTs; upstream reads them from X-Service-Key first (§1.2).
    if (key && serviceRole && !isJwt(key)) headers.set("X-Service-Key", key);
    if (jsonBody) headers.set("Content-Type", "application/json");
    for (const [name, value] of Object.entries(this.options.headers)) headers.set(name, value);
    for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
    return headers;
  }

  async request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    const sentToken = this.bearerToken();
    const result = await this.send<T>(method, path, options);
    if (result.status !== 401 || options.noRefresh || !this.canRefresh()) return result;
    // Another request may have refreshed while this one was in flight: just retry.
    const refreshed = this.bearerToken() !== sentToken || (await this.refreshHandler?.());
    if (!refreshed) return result;
    return this.send<T>(method, path, { ...options, noRefresh: true });
  }

  private canRefresh(): boolean {
    return (
      this.options.autoRefresh &&
      this.refreshHandler !== null &&
      this.options.session.refreshToken() !== null
    );
  }

  private async send<T>(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<HttpResult<T>> {
    const jsonBody = options.body !== undefined && !isRawBody(options.body);
    const init: RequestInit = { method, headers: this.buildHeaders(options.headers, jsonBody) };
    if (options.body !== undefined) {
      init.body = jsonBody ? JSON.stringify(options.body) : (options.body as BodyInit);
    }
    const controller = new AbortController();
    init.signal = controller.signal;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await this.options.fetch(this.buildUrl(path, options.query), init);
      const body = await readBody(response, response.ok && options.responseType === "blob");
      const meta = {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      };
      if (!response.ok) {
        return {
          data: null,
          error: errorFromBody(response.status, response.statusText, body),
          ...meta,
        };
      }
      return { data: body as T, error: null, ...meta };
    } catch (thrown) {
      const error: FluxbaseError = timedOut
        ? timeoutError(this.options.timeoutMs)
        : networkError(thrown);
      return { data: null, error, status: error.status, statusText: error.message, headers: null };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}
