// Forged, expired, unsigned, role-tampered and refresh tokens are refused on every route.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signJwt } from "../../src-server/auth/jwt.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
let refreshToken: string;
let userToken: string;

beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
  const res = await fetch(`${t.url}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "eve@example.com", password: "correct horse battery" }),
  });
  const session = (await res.json()) as { access_token: string; refresh_token: string };
  refreshToken = session.refresh_token;
  userToken = session.access_token;
});
afterAll(async () => {
  await t?.stop();
});

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** The user's own token with its role raised to service_role, signature left as it was. */
function tampered(token: string): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
  return `${h}.${b64({ ...claims, role: "service_role" })}.${s}`;
}

function badTokens(): Record<string, string> {
  const secret = t.stack.keys.jwtSecret;
  const claims = { sub: "00000000-0000-4000-8000-000000000001", role: "service_role" };
  const noneHeader = b64({ alg: "none", typ: "JWT" });
  const odd = (extra: Record<string, unknown>) => signJwt({ ...claims, ...extra }, { secret });
  const hs512 = `${b64({ alg: "HS512", typ: "JWT" })}.${b64(claims)}`;
  return {
    "alg none": `${noneHeader}.${b64(claims)}.`,
    "wrong secret": signJwt(claims, { secret: "another-secret-that-is-long-enough-000" }),
    expired: signJwt(claims, { secret, expiresIn: 60, now: Date.now() - 3_600_000 }),
    "another algorithm": `${hs512}.${createHmac("sha512", secret).update(hs512).digest("base64url")}`,
    "role tampered": tampered(userToken),
    "refresh token as bearer": refreshToken,
    garbage: "not-a-token",
    // Correctly signed, but a time claim that is not a number (it would never expire).
    "exp as a string": odd({ exp: "9999999999" }),
    "nbf as a string": odd({ nbf: "0" }),
    "iat as an object": odd({ iat: { at: 1 } }),
    "exp as null": odd({ exp: null }),
  };
}

const routes: [string, string][] = [
  ["GET", "/api/v1/jobs"],
  ["POST", "/api/v1/jobs/submit"],
  ["GET", "/api/v1/admin/jobs/workers"],
  ["GET", "/api/v1/auth/user"],
  ["GET", "/api/v1/tables/app.anything"],
  ["GET", "/api/v1/settings/secrets"],
  ["GET", "/api/v1/admin/settings/custom/secrets"],
  ["GET", "/api/v1/storage/exports"],
  ["GET", "/api/v1/storage/buckets"],
];

describe("bad tokens", () => {
  it("gets 401 with a JSON error on every route", async () => {
    for (const [kind, token] of Object.entries(badTokens())) {
      for (const [method, path] of routes) {
        const res = await fetch(`${t.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify({ job_name: "x" }) : undefined,
        });
        expect(res.status, `${kind}: ${method} ${path}`).toBe(401);
        expect(typeof ((await res.json()) as { error: unknown }).error).toBe("string");
      }
    }
  });

  it("refuses the realtime upgrade with 401", async () => {
    for (const [kind, token] of Object.entries(badTokens())) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(
          `${t.url.replace("http", "ws")}/realtime?token=${encodeURIComponent(token)}`,
        );
        ws.on("unexpected-response", (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on("open", () => {
          resolve(101);
          ws.close();
        });
        ws.on("error", () => undefined);
      });
      expect(status, kind).toBe(401);
    }
  });

  it("still accepts the real token", async () => {
    const res = await fetch(`${t.url}/api/v1/auth/user`, {
      headers: { Authorization: `Bearer ${userToken}` },
    });
    expect(res.status).toBe(200);
  });
});
