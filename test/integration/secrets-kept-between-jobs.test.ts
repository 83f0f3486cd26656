// A server keeps the secrets it decrypted for a user's jobs in a namespace (issue 17): the
// jobs after the first read none, and a job submitted after any change of a secret — made
// by another server, the CLI or plain SQL — sees the change. Real PostgreSQL, real claim.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "../../src-sdk/types.ts";
import { defaultJobsConfig } from "../../src-server/config/index.ts";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import type { JobRow } from "../../src-server/db/queries/queue.ts";
import { createInProcessRuntime } from "../../src-server/jobs/worker/in-process-runtime.ts";
import { createWorkerPool, type WorkerPool } from "../../src-server/jobs/worker/pool.ts";
import { silentLogger } from "../../src-server/logger.ts";
import {
  createFunctionSecretStore,
  createSecretStore,
  type SecretStore,
} from "../../src-server/secrets/index.ts";
import { createTestFunction, useQueueDatabase } from "../helpers/queue-database.ts";
import { waitFor } from "../helpers/wait.ts";

const queue = useQueueDatabase({ maxConnections: 8 });
const key = randomBytes(32);
let ann = "";
let functionId = "";
/** Statements this server's secret store sent that read secret values. */
let secretReads = 0;
let pool: WorkerPool;
/** Another server (or the CLI): its own connections and store, same database and key. */
let otherDb: Db;
let other: SecretStore;

beforeAll(async () => {
  const db = queue.db;
  [{ id: ann }] = (await db.query<{ id: string }>(
    `INSERT INTO auth.users (email, password_hash) VALUES ('ann@example.com', 'x') RETURNING id`,
  )) as [{ id: string }];
  functionId = (await createTestFunction(db, { name: "show-secrets" })).id;
  const counted: Db = {
    ...db,
    query(text, values, options) {
      if (text.includes("FROM secrets.secrets")) secretReads++;
      return db.query(text, values, options);
    },
  };
  const store = createSecretStore({ db: counted, key });
  await store.create({ kind: "user", userId: ann }, { key: "api_token", value: "first-token" });
  await store.create({ kind: "system" }, { key: "region", value: "eu-west-1" });
  pool = createWorkerPool({
    db,
    runtime: createInProcessRuntime({
      "show-secrets": ({ spec }) => ({ secrets: spec.secrets, env: spec.env }) as JsonValue,
    }),
    config: {
      ...defaultJobsConfig(process.cwd()),
      embeddedWorkerCount: 1,
      maxConcurrentPerWorker: 2,
      pollIntervalMs: 100,
    },
    jwtSecret: "x".repeat(32),
    serverUrl: () => "http://127.0.0.1:1",
    jobEnv: {},
    logger: silentLogger,
    secrets: store,
  });
  await pool.start();
  otherDb = createDb({ connectionString: queue.database.url, max: 2 });
  other = createSecretStore({ db: otherDb, key });
});

afterAll(async () => {
  await pool?.stop();
  await otherDb?.end();
});

interface Seen {
  secrets: { user: Record<string, string>; system: Record<string, string> };
  env: Record<string, string>;
}

/** Submits a job of ann's and waits for what its handler was given. */
async function runJob(): Promise<Seen> {
  const [row] = await queue.db.query<{ id: string }>(
    `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, created_by)
     VALUES ('default', $1, 'show-secrets', '{}', $2) RETURNING id`,
    [functionId, ann],
  );
  return waitFor(
    async () => {
      const [job] = await queue.db.query<JobRow>("SELECT * FROM jobs.queue WHERE id = $1", [
        row!.id,
      ]);
      if (job?.status === "failed") throw new Error(`job failed: ${job.error_message}`);
      return job?.status === "completed" ? (job.result as unknown as Seen) : undefined;
    },
    { what: "the job to complete" },
  );
}

describe("secrets kept between a user's jobs", () => {
  it("are read once, and re-read by the first job submitted after any change", async () => {
    const first = await runJob();
    expect(first.secrets.user).toEqual({ api_token: "first-token" });
    expect(first.secrets.system).toEqual({ region: "eu-west-1" });
    const readsAfterFirst = secretReads;
    expect(readsAfterFirst).toBeGreaterThan(0);

    // Nothing changed: the next jobs get the same secrets without reading them.
    expect((await runJob()).secrets.user).toEqual({ api_token: "first-token" });
    expect((await runJob()).secrets.user).toEqual({ api_token: "first-token" });
    expect(secretReads).toBe(readsAfterFirst);

    // Changed by another server.
    await other.update({ kind: "user", userId: ann }, "api_token", { value: "second-token" });
    expect((await runJob()).secrets.user).toEqual({ api_token: "second-token" });

    // Added, then deleted, by another server.
    await other.create({ kind: "system" }, { key: "added_later", value: "new-value" });
    expect((await runJob()).secrets.system).toEqual({
      region: "eu-west-1",
      added_later: "new-value",
    });
    await other.delete({ kind: "user", userId: ann }, "api_token");
    expect((await runJob()).secrets.user).toEqual({});

    // A function secret of the namespace, added and changed elsewhere.
    const functions = createFunctionSecretStore({ db: otherDb, key });
    await functions.create(
      { name: "smtp", value: "smtp-one", scope: "namespace", namespace: "default" },
      null,
    );
    expect((await runJob()).env.FLUXBASE_SECRET_SMTP).toBe("smtp-one");
    await functions.update({ name: "smtp", namespace: "default" }, { value: "smtp-two" }, null);
    expect((await runJob()).env.FLUXBASE_SECRET_SMTP).toBe("smtp-two");

    // Removed with plain SQL (as an operator in psql would).
    await otherDb.query("DELETE FROM secrets.function_secrets");
    expect((await runJob()).env.FLUXBASE_SECRET_SMTP).toBeUndefined();
    await otherDb.query("TRUNCATE secrets.secrets");
    expect((await runJob()).secrets.system).toEqual({});
  });
});
