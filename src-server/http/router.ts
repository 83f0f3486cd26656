// A small method + path router. Paths use `:name` segments and may end in one `*name`
// segment that captures the rest of the path (one or more segments, each decoded, joined
// with "/"). Handlers get typed requests and return a value (sent as JSON 200), a Reply
// for other statuses, or a StreamReply for raw bytes.
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { Multipart } from "@fastify/multipart";
import type { Caller } from "../auth/caller.ts";

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  raw: IncomingMessage;
  requestId: string;
  /** Parses the JSON body (cached); 400 when it is not JSON, 413 when too large. */
  json(): Promise<unknown>;
  /** The caller, resolved by the route's auth guard. */
  caller?: Caller;
  /** A multipart/form-data body's parts as they stream in (files are streams), or undefined. */
  parts?: (limits: { fileSize: number }) => AsyncIterableIterator<Multipart>;
}

export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Raw bytes (a file download): piped to the response as they are, with these headers. */
export class StreamReply {
  constructor(
    readonly status: number,
    readonly stream: Readable,
    readonly headers: Record<string, string> = {},
  ) {}
}

export const created = (body: unknown) => new Reply(201, body);
export const noContent = () => new Reply(204, undefined);

export type Handler = (req: ApiRequest) => Promise<unknown>;

/** The credentials a guard accepts, named as the API document's security schemes. */
export type AuthScheme = "anonKey" | "serviceKey" | "bearer";

export type Guard = ((req: ApiRequest) => Promise<void>) & {
  /** Which credentials pass this guard (for the API document); absent: it checks no credential. */
  auth?: readonly AuthScheme[];
};

/** A registered route as written: for listings and tests that cover every route. */
export interface RouteInfo {
  method: string;
  pattern: string;
}

export interface Route {
  method: string;
  pattern: string;
  segments: string[];
  guards: Guard[];
  handler: Handler;
}

export interface Router {
  add(method: string, pattern: string, guards: Guard[], handler: Handler): void;
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | "method" | undefined;
  /** Every route, in registration order. */
  routes(): RouteInfo[];
  /** Every route with its guards and handler, in registration order (for the HTTP server). */
  entries(): readonly Route[];
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function createRouter(): Router {
  const routes: Route[] = [];
  return {
    add(method, pattern, guards, handler) {
      routes.push({
        method,
        pattern,
        segments: pattern.split("/").filter(Boolean),
        guards,
        handler,
      });
    },
    routes() {
      return routes.map(({ method, pattern }) => ({ method, pattern }));
    },
    entries() {
      return routes;
    },
    match(method, path) {
      const parts = path.split("/").filter(Boolean);
      return matchRoutes(routes, method, parts);
    },
  };
}

/** Path parameters of `route` for a path it matches (each decoded; `*rest` joined with "/"). */
export function routeParams(route: Route, path: string): Record<string, string> {
  const parts = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  route.segments.forEach((seg, i) => {
    if (seg.startsWith("*")) params[seg.slice(1)] = parts.slice(i).map(decodeSegment).join("/");
    else if (seg.startsWith(":")) params[seg.slice(1)] = decodeSegment(parts[i] ?? "");
  });
  return params;
}

function matchRoutes(
  routes: Route[],
  method: string,
  parts: string[],
): { route: Route; params: Record<string, string> } | "method" | undefined {
  let methodMismatch = false;
  for (const route of routes) {
    const rest = route.segments.at(-1)?.startsWith("*") ? route.segments.length : 0;
    if (rest ? parts.length < rest : route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = route.segments.every((seg, i) => {
      const part = parts[i]!;
      if (seg.startsWith("*")) {
        params[seg.slice(1)] = parts.slice(i).map(decodeSegment).join("/");
        return true;
      }
      if (seg.startsWith(":")) {
        params[seg.slice(1)] = decodeSegment(part);
        return true;
      }
      return seg === part;
    });
    if (!ok) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    return { route, params };
  }
  return methodMismatch ? "method" : undefined;
}
