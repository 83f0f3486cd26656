// Short-lived tokens for the two clients a job receives (spec §4.4): `fluxbase` acts
// as the job's user (anon when it has none) and `fluxbaseService` as service_role.
// Both carry the job id and expire with the job's timeout.
import { signJwt } from "../auth/jwt.ts";
import type { JobUserContext } from "./runtime.ts";

export interface JobTokenOptions {
  secret: string;
  jobId: string;
  user: JobUserContext | null;
  /** Token lifetime: the job's timeout plus a margin. */
  ttlSeconds: number;
}

export function signJobTokens(options: JobTokenOptions): { userToken: string; serviceToken: string } {
  const base = { job_id: options.jobId, token_type: "access" };
  const sign = (claims: Record<string, unknown>) =>
    signJwt({ ...base, ...claims }, { secret: options.secret, expiresIn: options.ttlSeconds });
  const userToken = options.user
    ? sign({ sub: options.user.id, user_id: options.user.id, email: options.user.email, role: options.user.role })
    : sign({ role: "anon" });
  return { userToken, serviceToken: sign({ sub: "service_role", role: "service_role" }) };
}
