// Short-lived tokens for the two clients a job receives (compatibility §4.4): `fluxbase` acts
// as the job's user (anon when it has none) and `fluxbaseService` as service_role.
// Both are bound to one attempt (claims job_id, job_worker, job_attempt): the server
// refuses them once that attempt is no longer running (auth/live-check.ts), and they
// reach only the admin routes a job may use (auth/job-scope.ts). They expire with the
// job's timeout at the latest.
import { signJwt } from "../../auth/jwt.ts";
import type { AttemptKey } from "../../db/queries/queue.ts";
import type { JobUserContext } from "./runtime.ts";

export interface JobTokenOptions {
  secret: string;
  /** The attempt the tokens belong to. */
  attempt: AttemptKey;
  user: JobUserContext | null;
  /** Token lifetime: the job's timeout plus a margin. */
  ttlSeconds: number;
}

export function signJobTokens(options: JobTokenOptions): {
  userToken: string;
  serviceToken: string;
} {
  const { attempt } = options;
  const base = {
    job_id: attempt.id,
    job_worker: attempt.workerId,
    job_attempt: attempt.retryCount,
    scope: "job",
    token_type: "access",
  };
  const sign = (claims: Record<string, unknown>) =>
    signJwt({ ...base, ...claims }, { secret: options.secret, expiresIn: options.ttlSeconds });
  const userToken = options.user
    ? sign({
        sub: options.user.id,
        user_id: options.user.id,
        email: options.user.email,
        role: options.user.role,
      })
    : sign({ role: "anon" });
  return { userToken, serviceToken: sign({ sub: "service_role", role: "service_role" }) };
}
