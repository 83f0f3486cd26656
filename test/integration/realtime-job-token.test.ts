// A job's service token on a realtime socket holds only while its attempt runs: once the
// attempt ends (here: cancelled), the socket gets an error frame and no more events, and
// the token opens no new socket. A correctly signed token whose `exp` is a string is
// refused when sent as a socket's `access_token` too. docs: README "Security model".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt } from "../../src-server/auth/jwt.ts";
import { openRawSocket, refusedUpgrade, type RawSocket } from "../helpers/realtime.ts";
import { eventFor, isChangeOf, signUpRaw, subscribeQueue } from "../helpers/sessions.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

// Hands its service token out as progress (reversed: the token itself is masked there),
// then waits to be cancelled.
const leak = `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(10, [...Deno.env.get("FLUXBASE_SERVICE_TOKEN")].reverse().join(""));
  while (!job.checkCancellation()) await new Promise((resolve) => setTimeout(resolve, 50));
  return null;
}
`;

let t: TestStack;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestStack({ jobs: { "leak.ts": leak } });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe("a job's token on a realtime socket", () => {
  it("receives events while the attempt runs and none once it has ended", async () => {
    const mallory = await signUpRaw(t.url, "mallory@example.com");
    const victim = await signUpRaw(t.url, "victim@example.com");
    const submitted = await fetch(`${t.url}/api/v1/jobs/submit`, {
      method: "POST",
      headers: { authorization: `Bearer ${mallory.token}`, "content-type": "application/json" },
      body: JSON.stringify({ job_name: "leak" }),
    });
    const { id: jobId } = (await submitted.json()) as { id: string };
    const token = await waitFor(
      async () => {
        const res = await fetch(`${t.url}/api/v1/jobs/${jobId}`, {
          headers: { authorization: `Bearer ${mallory.token}` },
        });
        const job = (await res.json()) as { progress?: { message?: string } };
        const reversed = job.progress?.message;
        return reversed ? [...reversed].reverse().join("") : undefined;
      },
      { what: "the job's service token in its progress" },
    );

    const socket = await openRawSocket(t.url, token);
    const barrier = await openRawSocket(t.url, t.stack.keys.serviceKey);
    sockets.push(socket, barrier);
    await subscribeQueue(socket);
    await subscribeQueue(barrier);
    // While the attempt runs, the token is service_role: it sees another user's job.
    await socket.next(
      isChangeOf(await eventFor(t.database.url, victim.id, barrier)),
      "an event while the attempt runs",
    );

    const cancel = await fetch(`${t.url}/api/v1/jobs/${jobId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${mallory.token}` },
    });
    expect(cancel.status).toBe(200);
    const revoked = await socket.next((m) => m.type === "error", "the revocation error frame");
    expect(revoked.error).toMatch(/token revoked: .*attempt/);
    const held = await eventFor(t.database.url, victim.id, barrier);
    expect(socket.messages.some(isChangeOf(held))).toBe(false);
    expect((await refusedUpgrade(t.url, token)).status).toBe(401);
  });

  it("refuses an access_token message whose exp is a string", async () => {
    const user = await signUpRaw(t.url, "strict@example.com");
    const socket = await openRawSocket(t.url, user.token);
    sockets.push(socket);
    const claims = JSON.parse(Buffer.from(user.token.split(".")[1]!, "base64url").toString());
    const forever = signJwt({ ...claims, exp: "9999999999" }, { secret: t.stack.keys.jwtSecret });
    const from = socket.messages.length;
    socket.send({ type: "access_token", token: forever });
    const refused = await socket.next((m) => m.type === "error", "the refusal", from);
    expect(refused.error).toBe("invalid token");
  });
});
