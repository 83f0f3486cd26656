import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../logger.ts";
import { createRouter } from "./router.ts";
import { createHttpServer, type HttpServer } from "./server.ts";

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function logOf(
  requests: (base: string) => Promise<void>,
): Promise<Record<string, unknown>[]> {
  const router = createRouter();
  router.add("POST", "/api/v1/echo", [], async (req) => req.json());
  router.add("GET", "/api/v1/broken", [], async () => {
    throw new Error("broken");
  });
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  server = createHttpServer({
    router,
    logger: silentLogger,
    maxBodyBytes: 1024,
    requestLogLevel: "info",
    requestLogStream: stream,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  await requests(`http://127.0.0.1:${port}`);
  await server.close();
  server = undefined;
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.reqId !== undefined);
}

describe("the request log", () => {
  it("writes one line per answered request: its id, method, URL, status and time", async () => {
    const ids: string[] = [];
    const lines = await logOf(async (base) => {
      for (const [path, init] of [
        ["/api/v1/echo", { method: "POST", body: '{"a":1}' }],
        ["/api/v1/broken", {}],
        ["/nowhere", {}],
      ] as const) {
        const res = await fetch(base + path, { ...init, headers: { "x-request-id": `r-${path}` } });
        await res.arrayBuffer();
        ids.push(res.headers.get("x-request-id")!);
      }
    });
    expect(lines.map((l) => [l.reqId, l.method, l.url, l.statusCode])).toEqual([
      [ids[0], "POST", "/api/v1/echo", 200],
      [ids[1], "GET", "/api/v1/broken", 500],
      [ids[2], "GET", "/nowhere", 404],
    ]);
    for (const line of lines) expect(line.responseTime).toEqual(expect.any(Number));
  });
});
