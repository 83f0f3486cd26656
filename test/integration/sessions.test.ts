// Sign-out, demotion and deletion take effect on tokens already handed out, over HTTP and
// realtime, within 5 s: written as the holder of the old token trying to carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket, type RawSocket } from "../helpers/realtime.ts";
import { api } from "../helpers/secrets.ts";
import {
  eventFor,
  insertJobRow,
  isChangeOf,
  signInRaw,
  signUpRaw,
  subscribeQueue,
} from "../helpers/sessions.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "noop.ts": "export function handler() { return { ok: true }; }" },
    jobsConfig: { embeddedWorkerCount: 1 },
  });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

async function open(token: string): Promise<RawSocket> {
  const s = await openRawSocket(t.url, token);
  sockets.push(s);
  return s;
}

/** Polls `refused` for up to 5 s; prints how long the change took to bite. */
async function refusedWithin5s(what: string, refused: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  await waitFor(async () => ((await refused()) ? true : undefined), {
    timeoutMs: 5_000,
    intervalMs: 25,
    what,
  });
  console.info(`${what}: refused after ${Date.now() - start} ms`);
}

describe("signing out", () => {
  it("refuses the signed-out access token on HTTP and holds back realtime events", async () => {
    const user = await signUpRaw(t.url, "leaver@example.com");
    const socket = await open(user.token);
    await subscribeQueue(socket);
    const admin = await open(t.stack.keys.serviceKey);
    await subscribeQueue(admin);
    const before = await eventFor(t.database.url, user.id, admin);
    await socket.next(isChangeOf(before), "an event before signing out");

    expect(
      (await api(t.url, "/api/v1/auth/signout", { method: "POST", token: user.token })).status,
    ).toBe(200);
    await refusedWithin5s("signed-out token on HTTP", async () => {
      const res = await api(t.url, "/api/v1/auth/user", { token: user.token });
      return res.status === 401;
    });
    expect(
      (
        await api(t.url, "/api/v1/jobs/submit", {
          method: "POST",
          token: user.token,
          body: { job_name: "noop" },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await api(t.url, "/api/v1/auth/refresh", {
          method: "POST",
          body: { refresh_token: user.refreshToken },
        })
      ).status,
    ).toBe(401);

    const error = await socket.next(
      (m) => m.type === "error",
      "an error frame on the signed-out socket",
    );
    expect(error.error).toMatch(/token revoked/);
    const after = await eventFor(t.database.url, user.id, admin);
    expect(socket.messages.some(isChangeOf(after))).toBe(false);

    // Another session of the same user is unaffected.
    const again = await signInRaw(t.url, "leaver@example.com");
    expect((await api(t.url, "/api/v1/auth/user", { token: again.token })).status).toBe(200);
  });
});

describe("demotion", () => {
  it("takes a demoted admin's old token off admin routes and other users' realtime rows", async () => {
    const boss = await signUpRaw(t.url, "boss@example.com");
    const service = t.stack.keys.serviceKey;
    const patch = (role: string) =>
      api(t.url, `/api/v1/admin/users/${boss.id}`, {
        method: "PATCH",
        token: service,
        body: { role },
      });
    expect((await patch("admin")).status).toBe(200);
    const admin = await signInRaw(t.url, "boss@example.com");
    expect((await api(t.url, "/api/v1/admin/jobs/workers", { token: admin.token })).status).toBe(
      200,
    );
    const socket = await open(admin.token);
    await subscribeQueue(socket);
    const barrier = await open(service);
    await subscribeQueue(barrier);
    const other = await eventFor(t.database.url, null, barrier);
    await socket.next(isChangeOf(other), "an admin sees another's row");

    expect((await patch("authenticated")).status).toBe(200);
    await refusedWithin5s("demoted admin on an admin route", async () => {
      const res = await api(t.url, "/api/v1/admin/jobs/workers", { token: admin.token });
      return res.status === 403;
    });
    // Realtime: once the socket has re-checked, another's row no longer reaches it, its own still does.
    await refusedWithin5s("demoted admin on realtime", async () => {
      const foreign = await insertJobRow(t.database.url, null);
      const own = await eventFor(t.database.url, boss.id, barrier);
      await socket.next(isChangeOf(own), "own row");
      return !socket.messages.some(isChangeOf(foreign));
    });
  });
});

describe("deletion", () => {
  it("refuses a deleted user's token: no submit, no realtime", async () => {
    const gone = await signUpRaw(t.url, "gone@example.com");
    expect(
      (
        await api(t.url, "/api/v1/jobs/submit", {
          method: "POST",
          token: gone.token,
          body: { job_name: "noop" },
        })
      ).status,
    ).toBe(201);
    const socket = await open(gone.token);
    await subscribeQueue(socket);

    expect(
      (
        await api(t.url, `/api/v1/admin/users/${gone.id}`, {
          method: "DELETE",
          token: t.stack.keys.serviceKey,
        })
      ).status,
    ).toBe(204);
    await refusedWithin5s("deleted user's token submitting", async () => {
      const res = await api(t.url, "/api/v1/jobs/submit", {
        method: "POST",
        token: gone.token,
        body: { job_name: "noop" },
      });
      return res.status === 401;
    });
    const error = await socket.next(
      (m) => m.type === "error",
      "an error frame on the deleted user's socket",
    );
    expect(error.error).toMatch(/no longer exists/);
  });
});
