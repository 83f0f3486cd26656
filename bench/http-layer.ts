// The HTTP layer alone: requests per second of a JSON POST echo route (path parameter, JSON
// body with its input checks, JSON answer) over 10 keep-alive connections, no database.
// Usage: npx tsx bench/http-layer.ts [checkout root]   (default: this checkout; pass another
// checkout to compare the same route on its HTTP layer).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { keepAliveClient, type HttpCall } from "./submit-request.ts";

const root = path.resolve(process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url)));
const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);

interface EchoRequest {
  json(): Promise<unknown>;
  params: Record<string, string>;
}

const { createRouter } = await import(path.join(root, "src-server/http/router.ts"));
const { createHttpServer } = await import(path.join(root, "src-server/http/server.ts"));
const { silentLogger } = await import(path.join(root, "src-server/logger.ts"));

const router = createRouter();
router.add("POST", "/api/v1/jobs/:id/echo", [], async (req: EchoRequest) => ({
  body: await req.json(),
  params: req.params,
}));
const server = createHttpServer({ router, logger: silentLogger, maxBodyBytes: 1_000_000 });
const { port } = await server.listen(0, "127.0.0.1");
const client = keepAliveClient(`http://127.0.0.1:${port}`, { maxSockets: 10 });
const call: HttpCall = {
  method: "POST",
  path: "/api/v1/jobs/abc/echo",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ job_name: "x", payload: { a: [1, 2, 3], b: "text" } }),
};

const one = async () => {
  const answer = await client.request(call);
  if (answer.status !== 200) throw new Error(`status ${answer.status}`);
};

async function run(n: number): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (sent++ < n) await one();
    }),
  );
}

await run(2_000); // warm-up
const started = performance.now();
await run(REQUESTS);
const seconds = (performance.now() - started) / 1000;
console.log(`HTTP layer of ${root}: ${Math.round(REQUESTS / seconds)} requests/s (JSON POST echo)`);
client.close();
await server.close();
