// Whether a correctly signed token still speaks for someone: its session not signed out,
// its user not deleted (and with the role the user has now, so a demotion takes effect),
// its job attempt still running. Answers are cached for a short time (default 2 s) so a
// busy client costs one query per user and period; a change made through this process
// (sign-out, role change, deletion) drops the cached answer at once.
import type { Queryable } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import { isUuid, type Caller } from "./caller.ts";

export interface LiveCheckOptions {
  db: Queryable;
  /** How long an answer is reused; keep it well under 5 s. */
  ttlMs?: number;
  now?: () => number;
}

export interface LiveCheck {
  /** The caller as of now (a user's current role), or a 401 when its token no longer holds. */
  check(caller: Caller): Promise<Caller>;
  /** Forgets what is cached about a user: signed out, role changed or deleted. */
  forgetUser(userId: string): void;
}

/** The attempt a job's token belongs to (claims job_id, job_worker, job_attempt). */
export interface JobBinding {
  /** Null when the claim is missing or malformed: such a token is refused. */
  jobId: string | null;
  workerId: string | null;
  attempt: number | null;
}

type BoundAttempt = { jobId: string; workerId: string; attempt: number };

const MAX_ENTRIES = 10_000;

const revoked = (message: string) =>
  new AppError("UNAUTHORIZED", message, { code: "REVOKED_TOKEN" });

interface UserState {
  role: string | null;
  sessionLive: boolean;
}

export function createLiveCheck({
  db,
  ttlMs = 2_000,
  now = Date.now,
}: LiveCheckOptions): LiveCheck {
  const cache = new Map<string, { until: number; value: Promise<unknown> }>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const at = now();
    const hit = cache.get(key);
    if (hit && hit.until > at) return hit.value as Promise<T>;
    if (cache.size >= MAX_ENTRIES) {
      for (const [k, entry] of cache) if (entry.until <= at) cache.delete(k);
      if (cache.size >= MAX_ENTRIES) cache.clear();
    }
    const value = load();
    cache.set(key, { until: at + ttlMs, value });
    value.catch(() => cache.delete(key));
    return value;
  }

  // Lookups asked for in the same turn of the event loop (a realtime re-check tick asks for
  // every socket's user at once) share one query.
  let batch: {
    userId: string;
    sessionId: string | null;
    resolve(state: UserState): void;
    reject(err: unknown): void;
  }[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    try {
      const rows = await db.query<{ i: string; role: string | null; session_live: boolean }>(
        `SELECT q.i::text AS i, u.role, (s.id IS NOT NULL AND s.revoked_at IS NULL) AS session_live
         FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS q(user_id, session_id, i)
         LEFT JOIN auth.users u ON u.id = q.user_id
         LEFT JOIN auth.sessions s ON s.id = q.session_id AND s.user_id = u.id`,
        [items.map((x) => x.userId), items.map((x) => x.sessionId)],
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
      items.forEach((item, n) => {
        const row = byIndex.get(n + 1);
        item.resolve({ role: row?.role ?? null, sessionLive: row?.session_live ?? false });
      });
    } catch (err) {
      for (const item of items) item.reject(err);
    }
  };

  const userState = (userId: string, sessionId: string | null) =>
    cached<UserState>(
      `u:${userId}:${sessionId ?? ""}`,
      () =>
        new Promise<UserState>((resolve, reject) => {
          if (batch.length === 0) setImmediate(() => void flush());
          batch.push({ userId, sessionId, resolve, reject });
        }),
    );

  const attemptRunning = (job: BoundAttempt) =>
    cached<boolean>(`j:${job.jobId}:${job.workerId}:${job.attempt}`, async () => {
      const rows = await db.query(
        `SELECT 1 FROM jobs.queue WHERE id = $1 AND worker_id = $2 AND retry_count = $3 AND status = 'running'`,
        [job.jobId, job.workerId, job.attempt],
      );
      return rows.length > 0;
    });

  return {
    async check(caller) {
      const job = caller.job;
      if (job) {
        const bound = job.jobId !== null && job.workerId !== null && job.attempt !== null;
        if (!bound || !(await attemptRunning(job as BoundAttempt))) {
          throw revoked(
            "Job token is no longer valid: the job attempt it was issued for has ended",
          );
        }
      }
      if (caller.kind !== "user" || !caller.userId) return caller;
      const claimed = caller.claims.session_id;
      if (claimed !== undefined && !isUuid(claimed))
        throw revoked("Token has been revoked: unknown session");
      const sessionId = claimed === undefined ? null : claimed;
      const state = await userState(caller.userId, sessionId);
      if (state.role === null) throw revoked("Token has been revoked: the user no longer exists");
      if (sessionId && !state.sessionLive)
        throw revoked("Token has been revoked: the session has ended");
      return state.role === caller.role ? caller : { ...caller, role: state.role };
    },
    forgetUser(userId) {
      const prefix = `u:${userId}:`;
      for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
    },
  };
}
