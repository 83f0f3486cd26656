import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

const URL_ = "http://localhost:8080";
const ANON = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.sig";
const SERVICE_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig";

describe("request headers", () => {
  it("sends apikey and Bearer <key> for { apiKey }", async () => {
    const fetch = fakeFetch(() => jsonResponse({ jobs: [] }));
    const client = createClient(URL_, { apiKey: ANON }, { fetch });
    await client.jobs.list();
    const [req] = fetch.requests;
    expect(req?.headers.get("apikey")).toBe(ANON);
    expect(req?.headers.get("authorization")).toBe(`Bearer ${ANON}`);
    expect(req?.headers.get("x-service-key")).toBeNull();
    expect(client.isServiceRole).toBe(false);
  });

  it("accepts upstream's createClient(url, key, options)", async () => {
    const fetch = fakeFetch(() => jsonResponse({ jobs: [] }));
    const client = createClient(URL_ + "/", ANON, { fetch, headers: { "X-Trace": "t1" } });
    await client.jobs.list();
    const [req] = fetch.requests;
    expect(req?.url.toString()).toBe(`${URL_}/api/v1/jobs`);
    expect(req?.headers.get("authorization")).toBe(`Bearer ${ANON}`);
    expect(req?.headers.get("x-trace")).toBe("t1");
  });

  it("flags { serviceKey } clients and adds X-Service-Key for opaque keys only", async () => {
    const fetch = fakeFetch(() => jsonResponse({ jobs: [] }));
    const opaque = createClient(URL_, { serviceKey: "sk_test_0123456789abcdef" }, { fetch });
    const jwt = createClient(URL_, { serviceKey: SERVICE_JWT }, { fetch });
    await opaque.jobs.list();
    await jwt.jobs.list();
    expect(opaque.isServiceRole).toBe(true);
    expect(fetch.requests[0]?.headers.get("x-service-key")).toBe("sk_test_0123456789abcdef");
    expect(fetch.requests[0]?.headers.get("authorization")).toBe("Bearer sk_test_0123456789abcdef");
    expect(fetch.requests[1]?.headers.get("x-service-key")).toBeNull();
    expect(fetch.requests[1]?.headers.get("authorization")).toBe(`Bearer ${SERVICE_JWT}`);
  });

  it("uses an access token without a key, and options.auth.token over the key", async () => {
    const fetch = fakeFetch(() => jsonResponse({ jobs: [] }));
    await createClient(URL_, { accessToken: "user-token" }, { fetch }).jobs.list();
    await createClient(URL_, ANON, { fetch, auth: { token: "tok2" } }).jobs.list();
    expect(fetch.requests[0]?.headers.get("apikey")).toBeNull();
    expect(fetch.requests[0]?.headers.get("authorization")).toBe("Bearer user-token");
    expect(fetch.requests[1]?.headers.get("apikey")).toBe(ANON);
    expect(fetch.requests[1]?.headers.get("authorization")).toBe("Bearer tok2");
  });

  it("sets Content-Type: application/json only for JSON bodies", async () => {
    const fetch = fakeFetch(() => jsonResponse({ id: "j1", status: "pending" }, 201));
    const client = createClient(URL_, { apiKey: ANON }, { fetch });
    await client.jobs.get("j1");
    await client.jobs.submit("x", { a: 1 });
    await client.storage.from("b").upload("f.txt", "hi");
    expect(fetch.requests[0]?.headers.get("content-type")).toBeNull();
    expect(fetch.requests[1]?.headers.get("content-type")).toBe("application/json");
    expect(fetch.requests[2]?.headers.get("content-type")).toBeNull();
  });
});

describe("error mapping", () => {
  it("uses body.error as the message and keeps status, code and details", async () => {
    const body = { error: "Job not found", code: "JOB_NOT_FOUND" };
    const fetch = fakeFetch(() => jsonResponse(body, 404));
    const { data, error } = await createClient(URL_, ANON, { fetch }).jobs.get("nope");
    expect(data).toBeNull();
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      message: "Job not found",
      status: 404,
      code: "JOB_NOT_FOUND",
      details: body,
    });
  });

  it("falls back to the status text for non-JSON or error-less bodies", async () => {
    const fetch = fakeFetch();
    fetch.queue.push(new Response("<html>oops</html>", { status: 502, statusText: "Bad Gateway" }));
    fetch.queue.push(jsonResponse({ message: "no error key" }, 403));
    fetch.queue.push(new Response("", { status: 500 }));
    const client = createClient(URL_, ANON, { fetch });
    expect((await client.jobs.get("a")).error).toMatchObject({
      message: "Bad Gateway",
      status: 502,
    });
    expect((await client.jobs.get("a")).error).toMatchObject({ message: "Forbidden", status: 403 });
    expect((await client.jobs.get("a")).error).toMatchObject({ message: "HTTP 500", status: 500 });
  });

  it("turns a rejected fetch into status 0 instead of throwing", async () => {
    const fetch = async (): Promise<Response> => {
      throw new TypeError("fetch failed");
    };
    const { error } = await createClient(URL_, ANON, { fetch }).jobs.list();
    expect(error).toMatchObject({ message: "fetch failed", status: 0 });
  });
});

describe("timeouts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const hangingFetch = (input: string, init: RequestInit): Promise<Response> =>
    new Promise((_resolve, reject) => {
      init.signal?.addEventListener("abort", () =>
        reject(new DOMException("aborted", "AbortError")),
      );
    });

  it("answers 408 Request timeout after options.timeout", async () => {
    const { error } = await createClient(URL_, ANON, {
      fetch: hangingFetch,
      timeout: 20,
    }).jobs.list();
    expect(error).toMatchObject({ message: "Request timeout", status: 408 });
  });

  it("defaults to 30 s", async () => {
    vi.useFakeTimers();
    const pending = createClient(URL_, ANON, { fetch: hangingFetch }).jobs.list();
    await vi.advanceTimersByTimeAsync(29_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).error?.status).toBe(408);
  });
});

describe("createClient()", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("reads the URL and a service token from the environment", async () => {
    vi.stubEnv("FLUXBASE_URL", "http://env-host:9000");
    vi.stubEnv("FLUXBASE_SERVICE_TOKEN", SERVICE_JWT);
    const fetch = fakeFetch(() => jsonResponse({ jobs: [] }));
    const client = createClient(undefined, undefined, { fetch });
    await client.jobs.list();
    expect(client.isServiceRole).toBe(true);
    expect(fetch.requests[0]?.url.host).toBe("env-host:9000");
    expect(fetch.requests[0]?.headers.get("authorization")).toBe(`Bearer ${SERVICE_JWT}`);
  });

  it("throws without any URL", () => {
    vi.stubEnv("FLUXBASE_URL", "");
    vi.stubEnv("NEXT_PUBLIC_FLUXBASE_URL", "");
    vi.stubEnv("VITE_FLUXBASE_URL", "");
    expect(() => createClient()).toThrow(/URL is required/);
  });
});
