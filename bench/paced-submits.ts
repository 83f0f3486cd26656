// The latency client of bench/full-path.ts, in its own process (fork-client.ts) as a real
// client would be: `count` submits at `perSecond`, each on its own schedule whether or not
// the one before has been answered, over keep-alive connections. Times are read on the
// wall clock (ms since the epoch, microsecond precision) so that the server's process and
// the sandbox's can be compared with them.
import http from "node:http";
import { serveOneCommand } from "./fork-client.ts";

export interface PacedSubmitCommand {
  url: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  perSecond: number;
}

export interface PacedSubmit {
  id: string;
  /** When the request was sent and its answer read (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
}

const wallClock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(command: PacedSubmitCommand): Promise<PacedSubmit[]> {
  const target = new URL("/api/v1/jobs/submit", command.url);
  const agent = new http.Agent({ keepAlive: true });
  const headers = { ...command.headers, "content-length": String(Buffer.byteLength(command.body)) };
  const submit = () =>
    new Promise<PacedSubmit>((resolve, reject) => {
      const sentAt = wallClock();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          agent,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const answeredAt = wallClock();
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 201)
              return reject(new Error(`submit failed: ${res.statusCode} ${text}`));
            resolve({ id: (JSON.parse(text) as { id: string }).id, sentAt, answeredAt });
          });
        },
      );
      req.on("error", reject);
      req.end(command.body);
    });
  const start = performance.now();
  const pending: Promise<PacedSubmit>[] = [];
  for (let i = 0; i < command.count; i++) {
    const wait = start + (i * 1000) / command.perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(submit());
  }
  const results = await Promise.all(pending);
  agent.destroy();
  return results;
}

serveOneCommand(run);
