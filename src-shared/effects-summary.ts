// A run's effects (the ledger of what it wrote) in words, for the server's `summary` and the
// UI's list: "inserted 3 rows into app.notes, deleted avatars/u1.png, submitted 2 jobs".
// Pure and dependency-free, so the server and the browser say it the same way.

/** One ledger entry as far as words go (the wire's snake_case fields). */
export interface EffectWords {
  operation: string;
  kind: string;
  target: string;
  row_count: number;
}

const VERBS: Record<string, string> = {
  insert: "inserted",
  upsert: "upserted",
  update: "updated",
  delete: "deleted",
  upload: "uploaded",
  remove: "deleted",
  submit: "submitted",
};

const PREPOSITIONS: Record<string, string> = {
  insert: "into",
  upsert: "into",
  update: "in",
  delete: "from",
};

/** "inserted", "deleted"…; an unknown operation as it is. */
export function effectVerb(operation: string): string {
  return VERBS[operation] ?? operation;
}

/** "3 rows into", "1 row from": what a table write did, before its table's name. */
export function rowsPhrase(effect: Pick<EffectWords, "operation" | "row_count">): string {
  const n = effect.row_count;
  const preposition = PREPOSITIONS[effect.operation];
  return `${n} ${n === 1 ? "row" : "rows"}${preposition ? ` ${preposition}` : ""}`;
}

/** One sentence; writes of the same operation on the same target add up, jobs by count. */
export function summarizeEffects(effects: readonly EffectWords[]): string {
  const sums = new Map<string, EffectWords>();
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
      ? `${effectVerb(e.operation)} ${rowsPhrase(e)} ${e.target}`
      : `${effectVerb(e.operation)} ${e.target}`,
  );
  if (submitted > 0) parts.push(`submitted ${submitted} ${submitted === 1 ? "job" : "jobs"}`);
  return parts.length > 0 ? parts.join(", ") : "no writes";
}
