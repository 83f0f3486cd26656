// Statements on jobs.effects (migration 0018): the ledger of what a job wrote.
import type { Queryable } from "../db/connections.ts";

export type EffectOperation =
  "insert" | "upsert" | "update" | "delete" | "upload" | "remove" | "submit";
export type EffectKind = "table" | "object" | "job";

export interface Effect {
  operation: EffectOperation;
  kind: EffectKind;
  /** `schema.table`, `bucket/path` or `namespace/function`. */
  target: string;
  rowCount: number;
  /** Primary keys touched, as objects of column: value (jobs and objects: their id or path). */
  keys: Record<string, unknown>[];
}

export interface EffectRow {
  id: number;
  job_id: string;
  attempt: number;
  operation: EffectOperation;
  kind: EffectKind;
  target: string;
  row_count: number;
  keys: Record<string, unknown>[];
  dry_run: boolean;
  at: Date;
}

/** Keys kept per effect: a write of a million rows is recorded, not all of its keys. */
export const MAX_KEYS = 100;

export async function insertEffect(
  db: Queryable,
  job: { jobId: string; attempt: number; dryRun: boolean },
  effect: Effect,
): Promise<void> {
  await db.query(
    `INSERT INTO jobs.effects (job_id, attempt, operation, kind, target, row_count, keys, dry_run)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      job.jobId,
      job.attempt,
      effect.operation,
      effect.kind,
      effect.target,
      effect.rowCount,
      JSON.stringify(effect.keys.slice(0, MAX_KEYS)),
      job.dryRun,
    ],
  );
}

export async function listEffects(db: Queryable, jobId: string): Promise<EffectRow[]> {
  return db.query<EffectRow>(
    `SELECT id, job_id, attempt, operation, kind, target, row_count, keys, dry_run, at
     FROM jobs.effects WHERE job_id = $1 ORDER BY id`,
    [jobId],
  );
}
