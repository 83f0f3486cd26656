// A run's effects in one sentence: "inserted 3 rows into app.notes, deleted avatars/u1.png,
// submitted 2 jobs". Writes of the same operation on the same target add up.
import type { EffectRow } from "./effects-queries.ts";

type Summed = Pick<EffectRow, "operation" | "kind" | "target" | "row_count">;

const VERB: Record<EffectRow["operation"], string> = {
  insert: "inserted",
  upsert: "upserted",
  update: "updated",
  delete: "deleted",
  upload: "uploaded",
  remove: "deleted",
  submit: "submitted",
};

const PREPOSITION: Record<string, string> = {
  insert: "into",
  upsert: "into",
  update: "in",
  delete: "from",
};

const rows = (n: number) => `${n} ${n === 1 ? "row" : "rows"}`;

export function summarizeEffects(effects: Summed[]): string {
  const sums = new Map<string, Summed>();
  let submitted = 0;
  for (const e of effects) {
    if (e.kind === "job") {
      submitted += e.row_count;
      continue;
    }
    const key = `${e.operation}\u0000${e.target}`;
    const sum = sums.get(key);
    if (sum) sum.row_count += e.row_count;
    else sums.set(key, { ...e });
  }
  const parts = [...sums.values()].map((e) =>
    e.kind === "table"
      ? `${VERB[e.operation]} ${rows(e.row_count)} ${PREPOSITION[e.operation]} ${e.target}`
      : `${VERB[e.operation]} ${e.target}`,
  );
  if (submitted > 0) parts.push(`submitted ${submitted} ${submitted === 1 ? "job" : "jobs"}`);
  return parts.length > 0 ? parts.join(", ") : "no writes";
}
