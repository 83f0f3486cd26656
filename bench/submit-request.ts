// The benchmarks' HTTP client: requests over keep-alive connections with node:http, the
// answer's body read whole. Lighter than fetch (undici) by a wide margin in CPU per request,
// which matters when the clients share the server's two cores: what they spend is taken from
// the server being measured, and a probe's own overhead is counted in the latency it reports.
// submitRequester is one submit as the benchmarks' client processes send it
// (submit-clients.ts, paced-submits.ts, load-traffic.ts): anything but 201 is an error.
import http from "node:http";

export interface SubmitRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpCall {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Requests to `url`'s origin over keep-alive connections (at most `maxSockets` at once). */
export function keepAliveClient(url: string, options: { maxSockets?: number } = {}) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const request = (call: HttpCall) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const headers = { ...call.headers };
      if (call.body !== undefined) headers["content-length"] = String(Buffer.byteLength(call.body));
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: call.path,
          method: call.method,
          agent,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(call.body);
    });
  return { request, close: () => agent.destroy() };
}

export function submitRequester(request: SubmitRequest, options: { maxSockets?: number } = {}) {
  const client = keepAliveClient(request.url, options);
  const call: HttpCall = {
    method: "POST",
    path: "/api/v1/jobs/submit",
    headers: request.headers,
    body: request.body,
  };
  /** Sends one submit; resolves with the answer's body. */
  const send = async () => {
    const answer = await client.request(call);
    if (answer.status !== 201) throw new Error(`submit failed: ${answer.status} ${answer.body}`);
    return answer.body;
  };
  return { send, close: client.close };
}
