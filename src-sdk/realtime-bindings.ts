// Which `.on(...)` callbacks of a channel a change reaches. The server names the
// subscriptions a change matched (`payload.ids`) and each subscribe ack carries its
// subscription id beside the echoed schema/table/event/filter, so a channel with several
// filtered postgres_changes entries calls only those whose filter the row passed.
import type {
  ChangeCallback,
  ChangeEventFilter,
  PostgresChangesFilter,
  RealtimeChangePayload,
} from "./realtime-channel.ts";
import type { ExecutionLogLine } from "../src-shared/realtime-messages.ts";

export type Binding =
  | {
      kind: "postgres_changes";
      filter: PostgresChangesFilter;
      callback: ChangeCallback;
      /** The server's subscription id, once its ack arrived on the current socket. */
      id?: string;
    }
  | { kind: "event"; event: ChangeEventFilter; callback: ChangeCallback }
  | { kind: "logs"; executionId: string; callback: (line: ExecutionLogLine) => void };

export type { ExecutionLogLine };

/** Plain listeners take every change of their event; postgres_changes ones use the ids when known. */
export function matches(binding: Binding, change: RealtimeChangePayload, ids?: unknown[]): boolean {
  if (binding.kind === "logs") return false;
  if (binding.kind === "event") return binding.event === "*" || binding.event === change.eventType;
  if (ids && binding.id) return ids.includes(binding.id);
  const { event, schema = "public", table } = binding.filter;
  if (event !== "*" && event !== change.eventType) return false;
  return schema === change.schema && (table === undefined || table === change.table);
}

/** Pairs a subscribe ack with the first binding of the same config that has no id yet. */
export function noteSubscriptionId(bindings: Binding[], ack: Record<string, unknown>): void {
  if (typeof ack.subscription_id !== "string") return;
  for (const b of bindings) {
    if (b.kind !== "postgres_changes" || b.id) continue;
    const f = b.filter;
    if ((f.schema ?? "public") !== ack.schema || f.table !== ack.table) continue;
    if ((f.event ?? "*").toUpperCase() !== ack.event || (f.filter || undefined) !== ack.filter)
      continue;
    b.id = ack.subscription_id;
    return;
  }
}
