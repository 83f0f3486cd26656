// Storage writes of a job as ledger entries.
import type { Effect } from "./effects-queries.ts";

export function objectEffect(operation: "upload" | "remove", bucket: string, path: string): Effect {
  return {
    operation,
    kind: "object",
    target: `${bucket}/${path}`,
    rowCount: 1,
    keys: [{ bucket, path }],
  };
}
