// The notification channels between the API and the workers of every process: a job became
// claimable (sent by jobs.queue's triggers, migration 0003), and a running job is to be
// cancelled or terminated (sent here, acted on by the worker running it).
import type { Queryable } from "../connections.ts";

export const WAKE_CHANNEL = "jobs_wake";
export const CONTROL_CHANNEL = "jobs_control";

export interface JobControl {
  op: "cancel" | "terminate";
  id: string;
}

export async function sendJobControl(db: Queryable, control: JobControl): Promise<void> {
  await db.query("SELECT pg_notify($1, $2)", [CONTROL_CHANNEL, JSON.stringify(control)]);
}

/** A control notification's payload, or undefined when it is not one. */
export function parseJobControl(payload: string): JobControl | undefined {
  try {
    const msg = JSON.parse(payload) as Partial<JobControl> | null;
    if (!msg || typeof msg.id !== "string") return undefined;
    if (msg.op !== "cancel" && msg.op !== "terminate") return undefined;
    return { op: msg.op, id: msg.id };
  } catch {
    return undefined;
  }
}
