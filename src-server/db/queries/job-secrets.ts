// What a job's secrets are read from, in one round trip: the system's and its user's
// secrets (secrets.secrets, as secretsForJob) and the function secrets of its namespace
// (secrets.function_secrets, as functionSecretsForJob: global rows, then the namespace's).
import type { Queryable } from "../connections.ts";
import type { Sealed } from "./function-secrets.ts";

export interface JobSecretRow extends Sealed {
  /** `secret`: secrets.secrets; `function`: secrets.function_secrets. */
  source: "secret" | "function";
  id: string;
  name: string;
  /** Of a `secret` row: its user, or null for a system secret. */
  user_id: string | null;
}

export function jobSecretRows(
  db: Queryable,
  userId: string | null,
  namespace: string,
): Promise<JobSecretRow[]> {
  return db.query<JobSecretRow>(
    `SELECT 'secret' AS source, id, name, user_id, ciphertext, nonce, 0 AS place
       FROM secrets.secrets
      WHERE user_id IS NULL OR user_id = $1::uuid
     UNION ALL
     SELECT 'function', id, name, NULL, ciphertext, nonce, CASE WHEN scope = 'namespace' THEN 2 ELSE 1 END
       FROM secrets.function_secrets
      WHERE (scope = 'global' OR namespace = $2) AND (expires_at IS NULL OR expires_at > now())
     ORDER BY place, name`,
    [userId, namespace],
  );
}
