import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse, type RecordedRequest } from "../test/helpers/fake-fetch.ts";

const URL_ = "http://localhost:8080";
const ANON = "anon-key";
const user = {
  id: "u1",
  email: "ann@example.com",
  role: "authenticated",
  user_metadata: {},
  app_metadata: {},
};

function signInBody(access: string, refresh: string) {
  return {
    user,
    access_token: access,
    refresh_token: refresh,
    expires_in: 900,
    token_type: "bearer",
  };
}

const bearer = (req: RecordedRequest | undefined): string | null =>
  req?.headers.get("authorization") ?? null;

describe("sign-up, sign-in, sign-out", () => {
  it("signUp maps options.data to user_metadata and stores the session", async () => {
    const fetch = fakeFetch(() => jsonResponse(signInBody("a1", "r1"), 201));
    const client = createClient(URL_, { apiKey: ANON }, { fetch });
    const { data, error } = await client.auth.signUp({
      email: "ann@example.com",
      password: "secret123",
      options: { data: { name: "Ann" } },
    });
    expect(error).toBeNull();
    expect(data?.user?.id).toBe("u1");
    expect(data?.session?.access_token).toBe("a1");
    expect(fetch.requests[0]?.url.pathname).toBe("/api/v1/auth/signup");
    expect(fetch.requests[0]?.json).toEqual({
      email: "ann@example.com",
      password: "secret123",
      user_metadata: { name: "Ann" },
    });
  });

  it("signIn switches Authorization to the access token; signOut restores the key", async () => {
    const fetch = fakeFetch((req) =>
      req.url.pathname === "/api/v1/auth/signin"
        ? jsonResponse(signInBody("a1", "r1"))
        : jsonResponse({ jobs: [] }),
    );
    const client = createClient(URL_, { apiKey: ANON }, { fetch });
    const { data } = await client.auth.signInWithPassword({
      email: "ann@example.com",
      password: "pw",
    });
    expect(data?.session?.expires_at).toBeGreaterThan(Date.now() / 1000);
    await client.jobs.list();
    await client.auth.signOut();
    await client.jobs.list();
    const [signin, list1, signout, list2] = fetch.requests;
    expect(signin?.json).toEqual({ email: "ann@example.com", password: "pw" });
    expect(bearer(list1)).toBe("Bearer a1");
    expect(list1?.headers.get("apikey")).toBe(ANON);
    expect(signout?.url.pathname).toBe("/api/v1/auth/signout");
    expect(bearer(signout)).toBe("Bearer a1");
    expect(bearer(list2)).toBe(`Bearer ${ANON}`);
    expect((await client.auth.getSession()).data?.session).toBeNull();
  });

  it("returns the sign-in error without storing anything", async () => {
    const fetch = fakeFetch(() => jsonResponse({ error: "Invalid credentials" }, 401));
    const client = createClient(URL_, ANON, { fetch });
    const { data, error } = await client.auth.signIn({ email: "x@y.z", password: "bad" });
    expect(data).toBeNull();
    expect(error).toMatchObject({ message: "Invalid credentials", status: 401 });
    expect(fetch.requests).toHaveLength(1);
  });

  it("getUser reads the bare user object", async () => {
    const fetch = fakeFetch(() => jsonResponse(user));
    const { data } = await createClient(URL_, ANON, { fetch }).auth.getUser();
    expect(fetch.requests[0]?.url.pathname).toBe("/api/v1/auth/user");
    expect(data?.user.email).toBe("ann@example.com");
  });

  it("setSession adopts tokens and loads the user", async () => {
    const fetch = fakeFetch(() => jsonResponse(user));
    const client = createClient(URL_, ANON, { fetch });
    const { data } = await client.auth.setSession({ access_token: "ext", refresh_token: "ext-r" });
    expect(bearer(fetch.requests[0])).toBe("Bearer ext");
    expect(data?.user?.id).toBe("u1");
    expect(data?.session?.refresh_token).toBe("ext-r");
  });

  it("notifies onAuthStateChange listeners", async () => {
    const fetch = fakeFetch(() => jsonResponse(signInBody("a1", "r1")));
    const client = createClient(URL_, ANON, { fetch });
    const events: string[] = [];
    const { data } = client.auth.onAuthStateChange((event) => events.push(event));
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    await client.auth.signOut();
    data.subscription.unsubscribe();
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    expect(events).toEqual(["SIGNED_IN", "SIGNED_OUT"]);
  });
});

describe("refresh on 401", () => {
  function server(opts: { refreshOk: boolean }) {
    let current = "a1";
    return fakeFetch((req) => {
      switch (req.url.pathname) {
        case "/api/v1/auth/signin":
          return jsonResponse(signInBody("a1", "r1"));
        case "/api/v1/auth/refresh":
          if (!opts.refreshOk) return jsonResponse({ error: "Invalid refresh token" }, 401);
          current = "a2";
          return jsonResponse({ access_token: "a2", refresh_token: "r2", expires_in: 900 });
        default:
          return bearer(req) === `Bearer ${current}` && current === "a2"
            ? jsonResponse({ jobs: [{ id: "j1" }] })
            : jsonResponse({ error: "Invalid or expired Bearer token" }, 401);
      }
    });
  }

  it("refreshes once with the stored refresh token and retries once", async () => {
    const fetch = server({ refreshOk: true });
    const client = createClient(URL_, ANON, { fetch });
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    const { data, error } = await client.jobs.list();
    expect(error).toBeNull();
    expect(data).toHaveLength(1);
    const paths = fetch.requests.map((r) => `${r.method} ${r.url.pathname}`);
    expect(paths).toEqual([
      "POST /api/v1/auth/signin",
      "GET /api/v1/jobs",
      "POST /api/v1/auth/refresh",
      "GET /api/v1/jobs",
    ]);
    expect(fetch.requests[2]?.json).toEqual({ refresh_token: "r1" });
    expect(bearer(fetch.requests[3])).toBe("Bearer a2");
    const { data: s } = await client.auth.getSession();
    expect(s?.session?.refresh_token).toBe("r2");
    expect(s?.session?.user?.id).toBe("u1");
  });

  it("returns the original 401 and signs out when the refresh is rejected", async () => {
    const fetch = server({ refreshOk: false });
    const client = createClient(URL_, ANON, { fetch });
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    const { error } = await client.jobs.list();
    expect(error).toMatchObject({ status: 401, message: "Invalid or expired Bearer token" });
    expect(fetch.requests).toHaveLength(3);
    expect((await client.auth.getSession()).data?.session).toBeNull();
  });

  it("does not refresh without a refresh token, nor when autoRefresh is off", async () => {
    const fetch = fakeFetch(() => jsonResponse({ error: "nope" }, 401));
    await createClient(URL_, ANON, { fetch }).jobs.list();
    expect(fetch.requests).toHaveLength(1);
    const fetch2 = server({ refreshOk: true });
    const client = createClient(URL_, ANON, { fetch: fetch2, auth: { autoRefresh: false } });
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    expect((await client.jobs.list()).error?.status).toBe(401);
    expect(fetch2.requests).toHaveLength(2);
  });

  it("shares one refresh between concurrent 401s", async () => {
    const fetch = server({ refreshOk: true });
    const client = createClient(URL_, ANON, { fetch });
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    const results = await Promise.all([client.jobs.list(), client.jobs.list(), client.jobs.list()]);
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(fetch.requests.filter((r) => r.url.pathname === "/api/v1/auth/refresh")).toHaveLength(1);
  });
});
