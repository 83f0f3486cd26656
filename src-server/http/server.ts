// The HTTP server on Fastify: CORS, request ids, pino request logs, routing of the router's
// routes, guards, JSON replies and error mapping, 404/405 and the UI fallback. Bodies are
// read when a handler asks (`req.json()`), so a guard refuses a caller before its body is
// read, and uploads stream from the request as they arrive.
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import multipart from "@fastify/multipart";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { AppError, invalidField } from "../errors.ts";
import type { Logger, LogLevelName } from "../logger.ts";
import { registerApiDocs } from "./api-docs.ts";
import { toErrorReply } from "./errors.ts";
import { OneLineRequestLog } from "./request-log.ts";
import { noSchemaCompilers, ROUTER_OPTIONS } from "./fastify-options.ts";
import { findJsonProblem, findParamProblem, type InputProblem } from "./json-input.ts";
import { checkRequest, documentedSchema, type RouteSchemas } from "./route-schema.ts";
import {
  Reply,
  routeParams,
  StreamReply,
  type ApiRequest,
  type Route,
  type Router,
} from "./router.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route's pattern as the router knows it (`/a/:b/*rest`). */
    pattern?: string;
  }
}

export interface HttpServerOptions {
  router: Router;
  logger: Logger;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Serves anything the router does not match (e.g. the UI); return false to 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Each route's request and response schemas, by `METHOD /pattern` (the API document). */
  schemas?: RouteSchemas;
  /** Level of the pino request log (one line per request, with its id); silent by default. */
  requestLogLevel?: LogLevelName;
  /** Where the request log goes (default stderr). */
  requestLogStream?: NodeJS.WritableStream;
}

export interface HttpServer {
  server: http.Server;
  /** The Fastify instance (routes are registered; it is ready once listening). */
  app: FastifyInstance;
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${limit} bytes`, { field: "body" });
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      reject(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A 400 naming the field, e.g. `payload.items[2]: text contains a NUL byte`. */
function refuse(problem: InputProblem): AppError {
  return invalidField(problem.path, `${problem.path}: ${problem.message}`);
}

function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw new AppError("BAD_REQUEST", `Invalid request body: ${(err as Error).message}`, {
      field: "body",
    });
  }
  const problem = findJsonProblem(value);
  if (problem) throw refuse(problem);
  return value;
}

/**
 * A request Node could not parse (a request line or headers over 16 KB, bad framing) gets
 * a JSON error like every other refusal, instead of Node's bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, error, code] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "The request line and headers exceed 16 KB", "HEADERS_TOO_LARGE"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request timeout", "REQUEST_TIMEOUT"]
        : [400, "Malformed HTTP request", "BAD_REQUEST"];
  const body = JSON.stringify({ error, code });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-allow-headers":
    "authorization, apikey, content-type, x-service-key, x-client-key, x-impersonation-token, x-job-receipt, x-request-id, prefer, range",
  "access-control-expose-headers": "content-range, x-request-id",
  "access-control-max-age": "600",
};

const JSON_TYPE = "application/json; charset=utf-8";

function sendJson(
  reply: FastifyReply,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  reply.code(status);
  if (body === undefined || status === 204) return reply.headers(headers).send();
  return reply.header("content-type", JSON_TYPE).headers(headers).send(JSON.stringify(body));
}

/** Writes a JSON answer straight to the socket (after the reply was hijacked). */
function sendRaw(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(text).toString(),
  });
  res.end(text);
}

/** `/a/:b/*rest` as Fastify writes it: the rest wildcard is a bare `*`. */
function fastifyPath(pattern: string): string {
  const path = pattern.replace(/\/\*[A-Za-z_]\w*$/, "/*");
  return path.length > 1 ? path.replace(/\/$/, "") : path;
}

/** The 4xx answer to an error Fastify raised itself (bad media type, bad URL, ...). */
function frameworkError(
  err: unknown,
): { status: number; body: Record<string, unknown> } | undefined {
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode !== "number" || e.statusCode >= 500 || !e.code?.startsWith("FST_"))
    return undefined;
  if (e.code === "FST_ERR_BAD_URL") {
    // A percent-escape that does not decode to UTF-8 (e.g. %ED%A0%80, a lone surrogate).
    const error = `path: not valid percent-encoded UTF-8 (${e.message ?? "bad URL"})`;
    return { status: e.statusCode, body: { error, code: e.code, field: "path" } };
  }
  return { status: e.statusCode, body: { error: e.message ?? "Bad request", code: e.code } };
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { router, logger } = options;
  const app = Fastify({
    // No logger at all when silent: a pino child per request is not free.
    logger:
      (options.requestLogLevel ?? "silent") === "silent"
        ? false
        : { level: options.requestLogLevel, stream: options.requestLogStream ?? process.stderr },
    logController: new OneLineRequestLog(),
    // Schemas describe the API and are checked by checkRequest; Fastify's own compilers are off.
    schemaController: { compilersFactory: noSchemaCompilers },
    genReqId: (req) =>
      (req.headers["x-request-id"] as string | undefined)?.slice(0, 100) || randomUUID(),
    requestIdHeader: false,
    keepAliveTimeout: 65_000,
    forceCloseConnections: true,
    exposeHeadRoutes: false,
    clientErrorHandler: answerClientError,
    routerOptions: ROUTER_OPTIONS,
    frameworkErrors: (err, _request, reply) => {
      const known = frameworkError(err);
      sendJson(
        reply,
        known?.status ?? 400,
        known?.body ?? { error: "Malformed URL", code: "BAD_REQUEST" },
      );
    },
  });

  // Bodies stay unread until a handler asks: every media type passes through as a stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));

  // A callback hook, not an async one: no promise per request.
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(CORS);
    reply.header("x-request-id", request.id);
    if (request.method === "OPTIONS") reply.code(204).send();
    else done();
  });

  app.setErrorHandler((err, request, reply) => {
    const answer = frameworkError(err) ?? toErrorReply(err, String(request.id), logger);
    return sendJson(reply, answer.status, answer.body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const pathname = request.url.split("?", 1)[0] ?? "/";
    if (router.match(request.method, pathname) === "method") {
      return sendJson(reply, 405, {
        error: `Method ${request.method} not allowed on ${pathname}`,
        code: "METHOD_NOT_ALLOWED",
      });
    }
    reply.hijack();
    const res = reply.raw;
    for (const [k, v] of Object.entries(reply.getHeaders()))
      if (v !== undefined) res.setHeader(k, v);
    try {
      if (options.fallback && (await options.fallback(request.raw, res))) return;
      sendRaw(res, 404, { error: `Not found: ${pathname}`, code: "NOT_FOUND" });
    } catch (err) {
      const failure = toErrorReply(err, String(request.id), logger);
      sendRaw(res, failure.status, failure.body);
    }
  });

  const handle = (route: Route) => async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw;
    const url = new URL(raw.url ?? "/", "http://local");
    const params = routeParams(route, url.pathname);
    let parsed: Promise<unknown> | undefined;
    const schema = options.schemas?.[`${route.method} ${route.pattern}`];
    const apiReq: ApiRequest = {
      method: route.method,
      path: url.pathname,
      params,
      query: url.searchParams,
      headers: raw.headers,
      raw,
      requestId: String(request.id),
      parts:
        typeof request.isMultipart === "function" && request.isMultipart()
          ? (limits) => request.parts({ limits })
          : undefined,
      json() {
        parsed ??= readBody(raw, options.maxBodyBytes)
          .then(parseJsonBody)
          .then((body) => {
            const problem = schema && checkRequest(schema, "body", body);
            if (problem) throw refuse(problem);
            return body;
          });
        return parsed;
      },
    };
    const paramProblem = findParamProblem(url.searchParams, params);
    if (paramProblem) throw refuse(paramProblem);
    for (const guard of route.guards) await guard(apiReq);
    if (schema) {
      const problem =
        checkRequest(schema, "params", params) ??
        (schema.querystring &&
          checkRequest(schema, "querystring", Object.fromEntries(url.searchParams)));
      if (problem) throw refuse(problem);
    }
    const result = await route.handler(apiReq);
    if (result instanceof Reply) return sendJson(reply, result.status, result.body, result.headers);
    if (result instanceof StreamReply) {
      reply.code(result.status).headers(result.headers);
      return reply.send(result.stream);
    }
    return sendJson(reply, 200, result);
  };

  // The document's plugin first: it records the routes registered after it.
  registerApiDocs(app);
  // Routes that take multipart/form-data (uploads) get @fastify/multipart in a scope of their
  // own: its hooks then cost nothing on every other request.
  const takesForms = (route: Route) =>
    !!options.schemas?.[`${route.method} ${route.pattern}`]?.consumes?.includes(
      "multipart/form-data",
    );
  const addRoutes = (scope: FastifyInstance, routes: readonly Route[]) => {
    const registered = new Set<string>();
    for (const route of routes) {
      const url = fastifyPath(route.pattern);
      const key = `${route.method} ${url}`;
      if (registered.has(key)) continue;
      registered.add(key);
      scope.route({
        method: route.method,
        url,
        handler: handle(route),
        schema: documentedSchema(route, options.schemas?.[`${route.method} ${route.pattern}`]),
        config: { pattern: route.pattern },
      });
    }
  };
  app.register(async (scope) =>
    addRoutes(
      scope,
      router.entries().filter((r) => !takesForms(r)),
    ),
  );
  app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });
    addRoutes(scope, router.entries().filter(takesForms));
  });

  return {
    server: app.server,
    app,
    async listen(port, host) {
      await app.listen({ port, host });
      return app.server.address() as AddressInfo;
    },
    async close() {
      await app.close();
    },
  };
}
