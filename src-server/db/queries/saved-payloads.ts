// Statements on jobs.saved_payloads (migration 0018): payloads saved by name, per function
// and user, for the run panel.
import type { Queryable } from "../connections.ts";

export interface SavedPayloadRow {
  id: string;
  function_id: string;
  created_by: string | null;
  name: string;
  payload: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const NOBODY = "00000000-0000-0000-0000-000000000000";

export async function listSavedPayloads(
  db: Queryable,
  functionId: string,
  userId: string | null,
): Promise<SavedPayloadRow[]> {
  return db.query<SavedPayloadRow>(
    `SELECT * FROM jobs.saved_payloads
     WHERE function_id = $1 AND coalesce(created_by, $3::uuid) = coalesce($2::uuid, $3::uuid)
     ORDER BY name`,
    [functionId, userId, NOBODY],
  );
}

export async function saveSavedPayload(
  db: Queryable,
  entry: { functionId: string; userId: string | null; name: string; payload: unknown },
): Promise<SavedPayloadRow> {
  const rows = await db.query<SavedPayloadRow>(
    `INSERT INTO jobs.saved_payloads (function_id, created_by, name, payload)
     VALUES ($1, (SELECT id FROM auth.users WHERE id = $2::uuid), $3, $4)
     ON CONFLICT (function_id, coalesce(created_by, '${NOBODY}'::uuid), name)
     DO UPDATE SET payload = EXCLUDED.payload, updated_at = now()
     RETURNING *`,
    [entry.functionId, entry.userId, entry.name, JSON.stringify(entry.payload)],
  );
  return rows[0]!;
}

export async function deleteSavedPayload(
  db: Queryable,
  functionId: string,
  userId: string | null,
  name: string,
): Promise<boolean> {
  const rows = await db.query(
    `DELETE FROM jobs.saved_payloads
     WHERE function_id = $1 AND coalesce(created_by, $4::uuid) = coalesce($2::uuid, $4::uuid) AND name = $3
     RETURNING id`,
    [functionId, userId, name, NOBODY],
  );
  return rows.length > 0;
}
