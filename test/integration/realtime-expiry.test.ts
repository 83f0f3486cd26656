// A socket whose token expires: at expiry it gets an error frame and no more events, until
// the client sends a fresh token with an `access_token` message, as upstream clients do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt, type Claims } from "../../src-server/auth/jwt.ts";
import { openRawSocket, type RawSocket } from "../helpers/realtime.ts";
import { eventFor, isChangeOf, signUpRaw, subscribeQueue } from "../helpers/sessions.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

/** The same session's token, re-signed to expire in `seconds`. */
function shortLived(token: string, seconds: number): string {
  const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Claims;
  delete claims.exp;
  return signJwt(claims, { secret: t.stack.keys.jwtSecret, expiresIn: seconds });
}

describe("token expiry on a realtime socket", () => {
  it("sends an error frame at expiry, holds back events, and resumes on access_token", async () => {
    const user = await signUpRaw(t.url, "expiring@example.com");
    const socket = await openRawSocket(t.url, shortLived(user.token, 4));
    const barrier = await openRawSocket(t.url, t.stack.keys.serviceKey);
    sockets.push(socket, barrier);
    await subscribeQueue(socket);
    await subscribeQueue(barrier);

    // Events flow until expiry (on a slow machine the token may expire first: then none does).
    const before = await eventFor(t.database.url, user.id, barrier);
    await socket.next(
      (m) => isChangeOf(before)(m) || m.type === "error",
      "an event before expiry, or the expiry",
    );
    const expired = await socket.next((m) => m.type === "error", "the expiry error frame");
    expect(expired.error).toMatch(/token expired/);
    const held = await eventFor(t.database.url, user.id, barrier);
    const afterExpiry = socket.messages.slice(socket.messages.indexOf(expired));
    expect(afterExpiry.some((m) => m.type === "postgres_changes")).toBe(false);
    // Subscribing is refused too while the token is expired.
    const from = socket.messages.length;
    socket.send({
      type: "subscribe",
      channel: "again",
      config: { schema: "jobs", table: "queue" },
    });
    expect((await socket.next((m) => m.type === "error", "refused subscribe", from)).error).toMatch(
      /token expired/,
    );

    // An expired token is no way back in.
    socket.send({ type: "access_token", token: shortLived(user.token, -10) });
    await socket.next((m) => m.error === "invalid token", "stale token refused");
    socket.send({ type: "access_token", token: user.token });
    await socket.next(
      (m) => m.type === "ack" && m.payload?.type === "access_token",
      "fresh token ack",
    );
    await socket.next(
      isChangeOf(await eventFor(t.database.url, user.id, barrier)),
      "events again after a fresh token",
    );
    expect(socket.messages.some(isChangeOf(held))).toBe(false);
  });
});
