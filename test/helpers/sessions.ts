// Helpers of the token and session tests: a signed-in user's token and id, rows written
// straight into jobs.queue (never claimed) to make realtime events on demand, and the
// barrier that tells when a socket has been sent everything committed before a row.
import { randomUUID } from "node:crypto";
import { ownerQuery } from "./app-tables.ts";
import { api } from "./secrets.ts";
import type { Json, RawSocket } from "./realtime.ts";

export interface SignedIn {
  id: string;
  token: string;
  refreshToken: string;
}

export async function signUpRaw(url: string, email: string): Promise<SignedIn> {
  const res = await api(url, "/api/v1/auth/signup", {
    method: "POST",
    body: { email, password: "correct horse battery" },
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.text}`);
  return {
    id: res.body.user.id,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
  };
}

export async function signInRaw(url: string, email: string): Promise<SignedIn> {
  const res = await api(url, "/api/v1/auth/signin", {
    method: "POST",
    body: { email, password: "correct horse battery" },
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.text}`);
  return {
    id: res.body.user.id,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
  };
}

/** Inserts a cancelled job row (no worker claims it) owned by `createdBy`; returns its id. */
export async function insertJobRow(databaseUrl: string, createdBy: string | null): Promise<string> {
  const id = randomUUID();
  await ownerQuery(
    databaseUrl,
    "INSERT INTO jobs.queue (id, job_name, status, created_by, user_role) VALUES ($1, 'marker', 'cancelled', $2, 'authenticated')",
    [id, createdBy],
  );
  return id;
}

export const isChangeOf = (id: string) => (m: Json) =>
  m.type === "postgres_changes" && m.payload?.record?.id === id;

/**
 * Inserts a job row for `owner` and waits for its event on `barrier` (a service-key socket
 * subscribed to jobs.queue): every other socket has then been sent all it will get of the
 * changes committed before it. Returns the row's id.
 */
export async function eventFor(
  databaseUrl: string,
  owner: string | null,
  barrier: RawSocket,
): Promise<string> {
  const id = await insertJobRow(databaseUrl, owner);
  await barrier.next(isChangeOf(id), "barrier event");
  return id;
}

export async function subscribeQueue(socket: RawSocket): Promise<void> {
  const from = socket.messages.length;
  socket.send({ type: "subscribe", channel: "table:jobs.queue" });
  await socket.next(
    (m) => m.type === "ack" && m.payload?.subscribed === true,
    "subscribe ack",
    from,
  );
}
