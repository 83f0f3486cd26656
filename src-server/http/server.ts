// The HTTP server: request parsing, CORS, routing, guards, JSON replies and error mapping.
import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { AppError, invalidField } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { toErrorReply } from "./errors.ts";
import { findJsonProblem, findParamProblem, type InputProblem } from "./json-input.ts";
import { Reply, StreamReply, type ApiRequest, type Router } from "./router.ts";

export interface HttpServerOptions {
  router: Router;
  logger: Logger;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Serves anything the router does not match (e.g. the UI); return false to 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface HttpServer {
  server: http.Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(
        new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${limit} bytes`, { field: "body" }),
      );
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(
          new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${limit} bytes`, {
            field: "body",
          }),
        );
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  if (body === undefined || status === 204) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

/** Pipes a StreamReply; the stream must already be open (a missing file is the handler's 404). */
function sendStream(res: ServerResponse, reply: StreamReply): Promise<void> {
  return new Promise((resolve) => {
    res.writeHead(reply.status, reply.headers);
    reply.stream.once("error", (err) => res.destroy(err));
    res.once("close", () => {
      reply.stream.destroy();
      resolve();
    });
    reply.stream.pipe(res);
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

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { router, logger } = options;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId =
      (req.headers["x-request-id"] as string | undefined)?.slice(0, 100) || randomUUID();
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    res.setHeader("x-request-id", requestId);
    if (req.method === "OPTIONS") return send(res, 204, undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://local");
    } catch {
      return send(res, 400, { error: "Malformed URL", code: "BAD_REQUEST" });
    }
    const match = router.match(req.method ?? "GET", url.pathname);
    if (match === undefined || match === "method") {
      if (match === undefined && options.fallback && (await options.fallback(req, res))) return;
      return match === "method"
        ? send(res, 405, {
            error: `Method ${req.method} not allowed on ${url.pathname}`,
            code: "METHOD_NOT_ALLOWED",
          })
        : send(res, 404, { error: `Not found: ${url.pathname}`, code: "NOT_FOUND" });
    }
    let parsed: Promise<unknown> | undefined;
    const apiReq: ApiRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      raw: req,
      requestId,
      json() {
        parsed ??= readBody(req, options.maxBodyBytes).then(parseJsonBody);
        return parsed;
      },
    };
    try {
      const paramProblem = findParamProblem(url.searchParams, match.params);
      if (paramProblem) throw refuse(paramProblem);
      for (const guard of match.route.guards) await guard(apiReq);
      const result = await match.route.handler(apiReq);
      if (result instanceof Reply) return send(res, result.status, result.body, result.headers);
      if (result instanceof StreamReply) return sendStream(res, result);
      return send(res, 200, result);
    } catch (err) {
      const reply = toErrorReply(err, requestId, logger);
      return send(res, reply.status, reply.body);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      logger.error("unhandled request error", { error: String(err) });
      send(res, 500, { error: "Internal server error", code: "INTERNAL" });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on("clientError", answerClientError);

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
