// One HTTP submit as the benchmarks' client processes send it (submit-clients.ts,
// paced-submits.ts): POST /api/v1/jobs/submit over keep-alive connections, the answer's
// body read whole; anything but 201 is an error.
import http from "node:http";

export interface SubmitRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function submitRequester(request: SubmitRequest, options: { maxSockets?: number } = {}) {
  const target = new URL("/api/v1/jobs/submit", request.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const headers = { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) };
  /** Sends one submit; resolves with the answer's body. */
  const send = () =>
    new Promise<string>((resolve, reject) => {
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
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 201) resolve(text);
            else reject(new Error(`submit failed: ${res.statusCode} ${text}`));
          });
        },
      );
      req.on("error", reject);
      req.end(request.body);
    });
  return { send, close: () => agent.destroy() };
}
