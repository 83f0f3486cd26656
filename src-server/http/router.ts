// A small method + path router. Paths use `:name` segments; handlers get typed requests
// and return a value (sent as JSON 200), or a Reply for other statuses.
import type { IncomingMessage } from "node:http";
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
}

export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export const created = (body: unknown) => new Reply(201, body);
export const noContent = () => new Reply(204, undefined);

export type Handler = (req: ApiRequest) => Promise<unknown>;
export type Guard = (req: ApiRequest) => Promise<void>;

interface Route {
  method: string;
  segments: string[];
  guards: Guard[];
  handler: Handler;
}

export interface Router {
  add(method: string, pattern: string, guards: Guard[], handler: Handler): void;
  match(method: string, path: string): { route: Route; params: Record<string, string> } | "method" | undefined;
}

export function createRouter(): Router {
  const routes: Route[] = [];
  return {
    add(method, pattern, guards, handler) {
      routes.push({ method, segments: pattern.split("/").filter(Boolean), guards, handler });
    },
    match(method, path) {
      const parts = path.split("/").filter(Boolean);
      let methodMismatch = false;
      for (const route of routes) {
        if (route.segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        const ok = route.segments.every((seg, i) => {
          const part = parts[i]!;
          if (seg.startsWith(":")) {
            try {
              params[seg.slice(1)] = decodeURIComponent(part);
            } catch {
              params[seg.slice(1)] = part;
            }
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
    },
  };
}
