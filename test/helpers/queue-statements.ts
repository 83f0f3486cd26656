// For tests of the claim loop and the completion path on a real PostgreSQL: jobs to claim,
// and a Db that records which claim and completion statements were sent (and which
// completions each carried), can hold a claim's answer, or refuse the next claim.
import type { Db, Queryable } from "../../src-server/db/connections.ts";
import type { JobRow } from "../../src-server/db/queries/queue.ts";
import { registerWorker } from "../../src-server/db/queries/workers.ts";
import { createTestFunction } from "./queue-database.ts";

/** A sent claim (`claim`) or completion-alone (`complete`) statement. */
export interface SentStatement {
  kind: "claim" | "complete";
  /** Ids of the completions it carried. */
  completed: string[];
}

export interface ObservedDb {
  db: Db;
  sent: SentStatement[];
  /** Claims answered from now on wait for the returned release (the statement has run). */
  holdClaims(): () => void;
  /** Claims whose answer is being held now. */
  heldClaims(): number;
  /** The next claim statement fails without reaching PostgreSQL. */
  refuseNextClaim(): void;
}

export function observeStatements(real: Db): ObservedDb {
  const sent: SentStatement[] = [];
  let hold: Promise<void> | undefined;
  let held = 0;
  let refuse = false;
  const query: Db["query"] = async (text, values, options) => {
    const name = options?.prepare ?? "";
    if (name.startsWith("fluxbase_claim_")) {
      const completed = name.endsWith("_after_completions") ? (values![2] as string[]) : [];
      sent.push({ kind: "claim", completed });
      if (refuse) {
        refuse = false;
        throw new Error("claim refused by the test");
      }
      const answer = await real.query(text, values, options);
      const wait = hold;
      if (wait) {
        held++;
        await wait;
        held--;
      }
      return answer as never;
    }
    if (name === "fluxbase_complete_jobs")
      sent.push({ kind: "complete", completed: values![0] as string[] });
    return real.query(text, values, options);
  };
  return {
    db: {
      connectionString: real.connectionString,
      query,
      withTransaction: (fn) => real.withTransaction(fn),
      connect: () => real.connect(),
      end: async () => undefined,
    },
    sent,
    holdClaims() {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = undefined;
        release();
      };
    },
    heldClaims: () => held,
    refuseNextClaim() {
      refuse = true;
    },
  };
}

/** A job function of that name (in-process runtimes look handlers up by it). */
export async function createJobFunction(db: Db, name: string): Promise<string> {
  return (await createTestFunction(db, { name, disableExecutionLogs: true })).id;
}

/** Queues a pending job of that function; returns its id. */
export async function queueJob(db: Queryable, functionId: string, name: string): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
     VALUES ('default', $1, $2, '{}', 0) RETURNING id`,
    [functionId, name],
  );
  return row!.id;
}

/** Registers an active worker row; returns its id. */
export async function registerTestWorker(db: Queryable, name: string): Promise<string> {
  const row = await registerWorker(db, {
    name,
    hostname: "test",
    maxConcurrentJobs: 1,
    metadata: {},
  });
  return row.id;
}

export async function jobRows(db: Queryable, ids: string[]): Promise<JobRow[]> {
  const rows = await db.query<JobRow>("SELECT * FROM jobs.queue WHERE id = ANY($1::uuid[])", [ids]);
  return ids.map((id) => rows.find((r) => r.id === id)!);
}
