// What a job's secrets are read from, in one round trip: the system's and its user's
// secrets (secrets.secrets, as secretsForJob), the function secrets of its namespace
// (secrets.function_secrets, as functionSecretsForJob: global rows, then the namespace's)
// and the secrets generation they belong to (migration 0021), read in the same snapshot.
import type { Queryable } from "../connections.ts";
import type { Sealed } from "./function-secrets.ts";

export interface JobSecretRow extends Sealed {
  /** `secret`: secrets.secrets; `function`: secrets.function_secrets. */
  source: "secret" | "function";
  id: string;
  name: string;
  /** Of a `secret` row: its user, or null for a system secret. */
  user_id: string | null;
  /** Of a `function` row: when it stops being passed to jobs (null: never). */
  expires_at: Date | null;
}

export interface JobSecretRows {
  rows: JobSecretRow[];
  /** secrets.generation's counter (a bigint as text) as of these rows. */
  generation: string;
}

type Row = JobSecretRow | { source: "generation"; generation: string };

export async function jobSecretRows(
  db: Queryable,
  userId: string | null,
  namespace: string,
): Promise<JobSecretRows> {
  const all = await db.query<Row>(
    `SELECT 'secret' AS source, id, name, user_id, ciphertext, nonce, NULL::timestamptz AS expires_at,
            NULL::text AS generation, 0 AS place
       FROM secrets.secrets
      WHERE user_id IS NULL OR user_id = $1::uuid
     UNION ALL
     SELECT 'function', id, name, NULL, ciphertext, nonce, expires_at, NULL,
            CASE WHEN scope = 'namespace' THEN 2 ELSE 1 END
       FROM secrets.function_secrets
      WHERE (scope = 'global' OR namespace = $2) AND (expires_at IS NULL OR expires_at > now())
     UNION ALL
     SELECT 'generation', NULL, NULL, NULL, NULL, NULL, NULL, version::text, 3 FROM secrets.generation
     ORDER BY place, name`,
    [userId, namespace],
  );
  const rows: JobSecretRow[] = [];
  let generation = "0";
  for (const row of all) {
    if (row.source === "generation") generation = row.generation;
    else rows.push(row);
  }
  return { rows, generation };
}
