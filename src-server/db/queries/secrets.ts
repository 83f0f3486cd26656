// Statements on secrets.secrets. A null user id means the system scope. Metadata queries
// never select the ciphertext; only readSecret and secretsForJob do.
import type { Queryable } from "../connections.ts";

export interface SecretMetadataRow {
  id: string;
  name: string;
  user_id: string | null;
  description: string | null;
  version: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SecretRow extends SecretMetadataRow {
  ciphertext: Buffer;
  nonce: Buffer;
}

const METADATA =
  "id, name, user_id, description, version, created_by, updated_by, created_at, updated_at";

export interface InsertSecret {
  name: string;
  userId: string | null;
  description: string | null;
  ciphertext: Buffer;
  nonce: Buffer;
  actor: string | null;
}

/** Undefined when a secret of that name already exists in that scope. */
export async function insertSecret(
  db: Queryable,
  s: InsertSecret,
): Promise<SecretMetadataRow | undefined> {
  const rows = await db.query<SecretMetadataRow>(
    `INSERT INTO secrets.secrets (name, user_id, description, ciphertext, nonce, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT DO NOTHING
     RETURNING ${METADATA}`,
    [s.name, s.userId, s.description, s.ciphertext, s.nonce, s.actor],
  );
  return rows[0];
}

export interface UpdateSecret {
  name: string;
  userId: string | null;
  /** A new value (the version goes up), or undefined to keep the old one. */
  sealed?: { ciphertext: Buffer; nonce: Buffer };
  /** undefined keeps the description; null clears it. */
  description?: string | null;
  actor: string | null;
}

/** Undefined when there is no such secret. */
export async function updateSecret(
  db: Queryable,
  s: UpdateSecret,
): Promise<SecretMetadataRow | undefined> {
  const rows = await db.query<SecretMetadataRow>(
    `UPDATE secrets.secrets SET
       ciphertext = coalesce($3, ciphertext),
       nonce = coalesce($4, nonce),
       version = version + CASE WHEN $3::bytea IS NULL THEN 0 ELSE 1 END,
       description = CASE WHEN $5::boolean THEN $6 ELSE description END,
       updated_by = $7,
       updated_at = now()
     WHERE name = $1 AND user_id IS NOT DISTINCT FROM $2::uuid
     RETURNING ${METADATA}`,
    [
      s.name,
      s.userId,
      s.sealed?.ciphertext ?? null,
      s.sealed?.nonce ?? null,
      s.description !== undefined,
      s.description ?? null,
      s.actor,
    ],
  );
  return rows[0];
}

export async function readSecret(
  db: Queryable,
  userId: string | null,
  name: string,
): Promise<SecretRow | undefined> {
  const rows = await db.query<SecretRow>(
    `SELECT ${METADATA}, ciphertext, nonce FROM secrets.secrets
     WHERE name = $1 AND user_id IS NOT DISTINCT FROM $2::uuid`,
    [name, userId],
  );
  return rows[0];
}

export function listSecrets(db: Queryable, userId: string | null): Promise<SecretMetadataRow[]> {
  return db.query<SecretMetadataRow>(
    `SELECT ${METADATA} FROM secrets.secrets WHERE user_id IS NOT DISTINCT FROM $1::uuid ORDER BY name`,
    [userId],
  );
}

export async function deleteSecret(
  db: Queryable,
  userId: string | null,
  name: string,
): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM secrets.secrets WHERE name = $1 AND user_id IS NOT DISTINCT FROM $2::uuid RETURNING id`,
    [name, userId],
  );
  return rows.length > 0;
}

/** The system's secrets and, when given, one user's: what a job of that user may read. */
export function secretsForJob(db: Queryable, userId: string | null): Promise<SecretRow[]> {
  return db.query<SecretRow>(
    `SELECT ${METADATA}, ciphertext, nonce FROM secrets.secrets
     WHERE user_id IS NULL OR user_id = $1::uuid`,
    [userId],
  );
}
