// A scripted fetch for the SDK's unit tests and the component tests.
import type { FetchLike } from "../../src-sdk/http.ts";

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: BodyInit | null | undefined;
  /** The JSON body, parsed, when the body was a string. */
  json: unknown;
}

export type Responder = (request: RecordedRequest) => Response | Promise<Response>;

export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    statusText: statusTexts[status] ?? "",
    headers: { "content-type": "application/json", ...headers },
  });
}

const statusTexts: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
};

/** Answers each request with `respond` (or the next queued response) and records it. */
export function fakeFetch(
  respond?: Responder,
): FetchLike & { requests: RecordedRequest[]; queue: Response[] } {
  const requests: RecordedRequest[] = [];
  const queue: Response[] = [];
  const fn = async (input: string, init: RequestInit): Promise<Response> => {
    const body = init.body;
    const request: RecordedRequest = {
      method: init.method ?? "GET",
      url: new URL(input),
      headers: new Headers(init.headers),
      body,
      json: typeof body === "string" ? (JSON.parse(body) as unknown) : undefined,
    };
    requests.push(request);
    const queued = queue.shift();
    if (queued) return queued;
    if (respond) return respond(request);
    return jsonResponse({ error: "no response scripted" }, 500);
  };
  return Object.assign(fn, { requests, queue });
}
