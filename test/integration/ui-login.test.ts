// The UI's sign-in: GET /api/v1/ui/config is public; the one-time code of the printed link
// signs in once as the admin@fluxbase.local admin; a second start keeps the account, new code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  await t?.stop();
});

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("UI sign-in", () => {
  it("serves the anon key and version without credentials", async () => {
    const res = await fetch(`${t.url}/api/v1/ui/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      anon_key: t.stack.keys.anonKey,
      version: expect.any(String),
    });
  });

  it("refuses a wrong or missing code", async () => {
    expect((await post(`${t.url}/api/v1/auth/ui-login`, { code: "nope" })).status).toBe(401);
    expect((await post(`${t.url}/api/v1/auth/ui-login`, {})).status).toBe(401);
  });

  it("exchanges the code once for an admin session", async () => {
    const code = t.stack.uiLoginCode!;
    expect(code).toMatch(/^[\w-]{20,}$/);
    const res = await post(`${t.url}/api/v1/auth/ui-login`, { code });
    expect(res.status).toBe(200);
    const session = (await res.json()) as {
      access_token: string;
      refresh_token: string;
      user: { email: string; role: string };
    };
    expect(session.user).toMatchObject({ email: "admin@fluxbase.local", role: "admin" });
    expect(session.refresh_token).toBeTruthy();
    const stats = await fetch(`${t.url}/api/v1/admin/jobs/stats`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(stats.status).toBe(200);
    expect((await post(`${t.url}/api/v1/auth/ui-login`, { code })).status).toBe(401);
  });

  it("keeps one admin account across restarts, each with a new code", async () => {
    const second = await startTestStack({
      database: t.database,
      jobsConfig: { embeddedWorkerCount: 0 },
    });
    try {
      expect(second.stack.uiLoginCode).not.toBe(t.stack.uiLoginCode);
      const { data } = await t.service.admin.users.list();
      expect(data!.filter((u) => u.email === "admin@fluxbase.local")).toHaveLength(1);
      expect(
        (await post(`${second.url}/api/v1/auth/ui-login`, { code: second.stack.uiLoginCode }))
          .status,
      ).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
