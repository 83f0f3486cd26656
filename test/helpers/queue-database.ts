// The setup the queue and worker-pool tests share: the file's own clone of the migrated
// template with a connection pool, a function row for its jobs, and a worker pool on the
// in-process runtime.
import { afterAll, beforeAll } from "vitest";
import type { JobsConfig } from "../../src-server/config/types.ts";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import {
  upsertFunction,
  type FunctionFields,
  type FunctionRow,
} from "../../src-server/db/queries/functions.ts";
import {
  createInProcessRuntime,
  type InProcessHandler,
} from "../../src-server/jobs/worker/in-process-runtime.ts";
import { createWorkerPool, type WorkerPool } from "../../src-server/jobs/worker/pool.ts";
import { silentLogger, type Logger } from "../../src-server/logger.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export interface QueueDatabase {
  /** Set once the file's beforeAll has run. */
  readonly db: Db;
  readonly database: TestDatabase;
}

export interface QueueDatabaseOptions {
  /** The connection pool's size: enough for the workers and the test's own queries. */
  maxConnections: number;
}

/** Registers beforeAll/afterAll hooks that create the database and pool, and drop them. */
export function useQueueDatabase(options: QueueDatabaseOptions): QueueDatabase {
  let db: Db | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb({ connectionString: database.url, max: options.maxConnections });
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the queue database is set up in beforeAll");
    return value;
  };
  return {
    get db() {
      return ready(db);
    },
    get database() {
      return ready(database);
    },
  };
}

export type TestFunctionFields = Pick<FunctionFields, "name"> & Partial<FunctionFields>;

/** Creates (or updates) a function in namespace "default" whose handler does nothing. */
export async function createTestFunction(db: Db, fields: TestFunctionFields): Promise<FunctionRow> {
  const { row } = await upsertFunction(db, {
    namespace: "default",
    description: null,
    code: "export function handler() {}",
    originalCode: null,
    isBundled: false,
    bundleError: null,
    enabled: true,
    schedule: null,
    timeoutSeconds: 60,
    memoryLimitMb: 256,
    maxRetries: 0,
    progressTimeoutSeconds: 60,
    allowNet: true,
    allowEnv: true,
    allowRead: false,
    allowWrite: false,
    requireRoles: [],
    disableExecutionLogs: false,
    source: "api",
    createdBy: null,
    ...fields,
  });
  return row;
}

export interface InProcessPoolOptions {
  db: Db;
  handlers: Record<string, InProcessHandler>;
  config: JobsConfig;
  /** Default: silent. */
  logger?: Logger;
}

/** A worker pool (not started) whose jobs run as the given handlers, in this process. */
export function createInProcessPool(options: InProcessPoolOptions): WorkerPool {
  return createWorkerPool({
    db: options.db,
    runtime: createInProcessRuntime(options.handlers),
    config: options.config,
    jwtSecret: "x".repeat(32),
    serverUrl: () => "http://127.0.0.1:1",
    jobEnv: {},
    logger: options.logger ?? silentLogger,
  });
}
