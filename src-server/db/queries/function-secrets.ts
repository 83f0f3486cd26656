// Statements on secrets.function_secrets and its versions (migration 0017). Metadata queries
// never select a ciphertext; only readFunctionSecret, versionCipher and functionSecretsForJob do.
import type { Queryable } from "../connections.ts";

export interface FunctionSecretRow {
  id: string;
  name: string;
  scope: "global" | "namespace";
  namespace: string | null;
  description: string | null;
  version: number;
  expires_at: Date | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface Sealed {
  ciphertext: Buffer;
  nonce: Buffer;
}

export interface FunctionSecretVersionRow {
  id: string;
  secret_id: string;
  version: number;
  created_at: Date;
  created_by: string | null;
}

const METADATA =
  "id, name, scope, namespace, description, version, expires_at, created_by, updated_by, created_at, updated_at";

/** Where a secret lives: `namespace` null is the global scope. */
export interface SecretPlace {
  name: string;
  namespace: string | null;
}

export interface InsertFunctionSecret extends SecretPlace, Sealed {
  id: string;
  description: string | null;
  expiresAt: Date | null;
  actor: string | null;
}

/** Undefined when the name is taken in that scope. */
export async function insertFunctionSecret(
  db: Queryable,
  s: InsertFunctionSecret,
): Promise<FunctionSecretRow | undefined> {
  const rows = await db.query<FunctionSecretRow>(
    `WITH s AS (
       INSERT INTO secrets.function_secrets
         (id, name, scope, namespace, description, ciphertext, nonce, expires_at, created_by, updated_by)
       VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN 'global' ELSE 'namespace' END, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT DO NOTHING
       RETURNING *
     ), v AS (
       INSERT INTO secrets.function_secret_versions (secret_id, version, ciphertext, nonce, created_by)
       SELECT id, version, ciphertext, nonce, created_by FROM s
     )
     SELECT ${METADATA} FROM s`,
    [s.id, s.name, s.namespace, s.description, s.ciphertext, s.nonce, s.expiresAt, s.actor],
  );
  return rows[0];
}

const WHERE_PLACE = "upper(name) = upper($1) AND namespace IS NOT DISTINCT FROM $2::text";

export async function findFunctionSecret(
  db: Queryable,
  place: SecretPlace,
): Promise<FunctionSecretRow | undefined> {
  const rows = await db.query<FunctionSecretRow>(
    `SELECT ${METADATA} FROM secrets.function_secrets WHERE ${WHERE_PLACE}`,
    [place.name, place.namespace],
  );
  return rows[0];
}

export async function findFunctionSecretById(
  db: Queryable,
  id: string,
): Promise<FunctionSecretRow | undefined> {
  const rows = await db.query<FunctionSecretRow>(
    `SELECT ${METADATA} FROM secrets.function_secrets WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export interface UpdateFunctionSecret {
  id: string;
  /** A new value (the version goes up and is kept), or undefined to keep the old one. */
  sealed?: Sealed;
  /** undefined keeps; null clears. */
  description?: string | null;
  expiresAt?: Date | null;
  actor: string | null;
}

export async function updateFunctionSecret(
  db: Queryable,
  s: UpdateFunctionSecret,
): Promise<FunctionSecretRow | undefined> {
  const rows = await db.query<FunctionSecretRow>(
    `WITH s AS (
       UPDATE secrets.function_secrets SET
         ciphertext = coalesce($2, ciphertext),
         nonce = coalesce($3, nonce),
         version = version + CASE WHEN $2::bytea IS NULL THEN 0 ELSE 1 END,
         description = CASE WHEN $4::boolean THEN $5 ELSE description END,
         expires_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE expires_at END,
         updated_by = $8,
         updated_at = now()
       WHERE id = $1
       RETURNING *
     ), v AS (
       INSERT INTO secrets.function_secret_versions (secret_id, version, ciphertext, nonce, created_by)
       SELECT id, version, ciphertext, nonce, updated_by FROM s WHERE $2::bytea IS NOT NULL
     )
     SELECT ${METADATA} FROM s`,
    [
      s.id,
      s.sealed?.ciphertext ?? null,
      s.sealed?.nonce ?? null,
      s.description !== undefined,
      s.description ?? null,
      s.expiresAt !== undefined,
      s.expiresAt ?? null,
      s.actor,
    ],
  );
  return rows[0];
}

export async function deleteFunctionSecret(db: Queryable, id: string): Promise<boolean> {
  return (
    (await db.query("DELETE FROM secrets.function_secrets WHERE id = $1 RETURNING id", [id]))
      .length > 0
  );
}

export function listFunctionSecrets(
  db: Queryable,
  filter: { scope?: "global" | "namespace"; namespace?: string },
): Promise<FunctionSecretRow[]> {
  return db.query<FunctionSecretRow>(
    `SELECT ${METADATA} FROM secrets.function_secrets
     WHERE ($1::text IS NULL OR scope = $1) AND ($2::text IS NULL OR namespace = $2)
     ORDER BY scope, namespace NULLS FIRST, name`,
    [filter.scope ?? null, filter.namespace ?? null],
  );
}

export function listFunctionSecretVersions(
  db: Queryable,
  secretId: string,
): Promise<FunctionSecretVersionRow[]> {
  return db.query<FunctionSecretVersionRow>(
    `SELECT id, secret_id, version, created_at, created_by FROM secrets.function_secret_versions
     WHERE secret_id = $1 ORDER BY version DESC`,
    [secretId],
  );
}

export async function versionCipher(
  db: Queryable,
  secretId: string,
  version: number,
): Promise<Sealed | undefined> {
  const rows = await db.query<Sealed>(
    `SELECT ciphertext, nonce FROM secrets.function_secret_versions WHERE secret_id = $1 AND version = $2`,
    [secretId, version],
  );
  return rows[0];
}

/** Unexpired global secrets and the namespace's, namespace rows last (they win). */
export function functionSecretsForJob(
  db: Queryable,
  namespace: string,
): Promise<(Sealed & { id: string; name: string })[]> {
  return db.query(
    `SELECT id, name, ciphertext, nonce FROM secrets.function_secrets
     WHERE (scope = 'global' OR namespace = $1) AND (expires_at IS NULL OR expires_at > now())
     ORDER BY scope = 'namespace', name`,
    [namespace],
  );
}

export async function functionSecretStats(
  db: Queryable,
): Promise<{ total: number; expiring_soon: number; expired: number }> {
  const [row] = await db.query<{ total: number; expiring_soon: number; expired: number }>(
    `SELECT count(*)::int AS total,
       count(*) FILTER (WHERE expires_at > now() AND expires_at <= now() + interval '7 days')::int AS expiring_soon,
       count(*) FILTER (WHERE expires_at <= now())::int AS expired
     FROM secrets.function_secrets`,
  );
  return row!;
}
