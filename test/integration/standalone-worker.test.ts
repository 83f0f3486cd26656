// `fluxbase-local worker --database-url URL` with only the server's JWT secret and
// encryption key: it finds the API URL the server recorded in the database, and its jobs'
// `fluxbase` and `fluxbaseService` clients work. A worker missing what its jobs need
// refuses to start with one line, before it claims anything. One refusal and one run go
// through the binary; the other refusals call the command in this process, as bin/ does.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runServer } from "../../src-server/cli/serve.ts";
import { AppError } from "../../src-server/errors.ts";
import type { LocalStack } from "../../src-server/main.ts";
import { createTestDatabase } from "../helpers/database.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { fastWorkerEnv, serverSecretsEnv } from "../helpers/worker.ts";

const jobs = {
  "remote.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  const id = job.getJobContext().job_id;
  const { error } = await fluxbaseService.from("app.worker_marks").insert({ job_id: id });
  if (error) throw new Error("service client: " + error.message);
  const { data, error: own } = await fluxbase.jobs.get(id);
  if (own) throw new Error("user client: " + own.message);
  return { seen_as: data.status };
}`,
};

let api: TestStack;
let sql: pg.Client;
let secrets: Record<string, string>;
const workers: CliProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  api = await startTestStack({ jobs, jobsConfig: { embeddedWorkerCount: 0 } });
  sql = new pg.Client({ connectionString: api.database.url });
  await sql.connect();
  await sql.query("CREATE TABLE app.worker_marks (id serial PRIMARY KEY, job_id uuid NOT NULL)");
  secrets = await serverSecretsEnv(api);
});
afterAll(async () => {
  for (const w of workers) w.child.kill("SIGKILL");
  await sql?.end();
  await api?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function worker(args: string[], env: Record<string, string>): Promise<CliProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-worker-"));
  dirs.push(dir);
  const w = runCli(["worker", "--data-dir", dir, "--log-level", "error", ...args], {
    FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
    ...fastWorkerEnv,
    ...env,
  });
  workers.push(w);
  return w;
}

/**
 * `fluxbase-local worker …` in this process (runServer, what the binary calls), with only
 * `env` for its environment. runServer installs SIGINT/SIGTERM handlers for a CLI process;
 * they are taken off again, so that this process keeps its own.
 */
async function workerInProcess(
  args: string[],
  env: Record<string, string>,
  print: (line: string) => void = () => undefined,
): Promise<LocalStack> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-worker-"));
  dirs.push(dir);
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = signals.map((signal) => process.listeners(signal));
  try {
    return await runServer({
      argv: ["--data-dir", dir, "--log-level", "error", ...args],
      mode: "worker",
      env: { FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1", ...fastWorkerEnv, ...env },
      cwd: dir,
      print,
    });
  } finally {
    signals.forEach((signal, i) => {
      for (const listener of process.listeners(signal))
        if (!before[i]!.includes(listener)) process.off(signal, listener);
    });
  }
}

/** The command refuses with a configuration error of one line (the binary prints it as is). */
async function inProcessRefusal(args: string[], env: Record<string, string>): Promise<string> {
  const error = await workerInProcess(args, env).then(
    async (stack) => {
      await stack.stop();
      throw new Error("the worker started");
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("CONFIG_INVALID");
  const message = (error as AppError).message;
  expect(message.split("\n")).toHaveLength(1);
  return message;
}

/** The process exits with a non-zero code and a single line naming what is missing. */
async function refusal(w: CliProcess): Promise<string> {
  const code = await w.exited;
  expect(code).not.toBe(0);
  const lines = w.output().trim().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("standalone worker", () => {
  it("finds the API URL in the database and runs jobs that use both clients", async () => {
    const w = await worker(["--database-url", api.database.url], secrets);
    await w.waitForLine(/worker running/);
    const user = await api.signUp("remote-worker@example.com");
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { data, error } = await user.jobs.submit("remote", { i });
      expect(error).toBeNull();
      ids.push(data!.id);
    }
    const done = await waitFor(
      async () => {
        const { rows } = await sql.query<{
          status: string;
          result: unknown;
          error_message: string | null;
        }>("SELECT status, result, error_message FROM jobs.queue WHERE id = ANY($1::uuid[])", [
          ids,
        ]);
        return rows.every((r) => r.status === "completed" || r.status === "failed")
          ? rows
          : undefined;
      },
      { timeoutMs: 60_000, what: "the worker to finish the jobs" },
    );
    expect(done.map((r) => r.error_message)).toEqual(ids.map(() => null));
    expect(done.map((r) => r.result)).toEqual(ids.map(() => ({ seen_as: "running" })));
    const { rows: marks } = await sql.query<{ n: number }>(
      "SELECT count(DISTINCT job_id)::int AS n FROM app.worker_marks",
    );
    expect(marks[0]!.n).toBe(10);
    const { rows: ran } = await sql.query<{ n: number }>(
      "SELECT count(DISTINCT worker_id)::int AS n FROM jobs.queue WHERE id = ANY($1::uuid[])",
      [ids],
    );
    expect(ran[0]!.n).toBe(1);
  });

  it("refuses to start without the server's JWT secret (the binary: one line, exit code not 0)", async () => {
    const w = await worker(["--database-url", api.database.url], {
      FLUXBASE_ENCRYPTION_KEY: secrets.FLUXBASE_ENCRYPTION_KEY!,
    });
    expect(await refusal(w)).toMatch(/no JWT secret.*FLUXBASE_JWT_SECRET/);
  });

  it("refuses to start without the server's encryption key", async () => {
    const refused = await inProcessRefusal(["--database-url", api.database.url], {
      FLUXBASE_JWT_SECRET: secrets.FLUXBASE_JWT_SECRET!,
    });
    expect(refused).toMatch(/no encryption key.*FLUXBASE_ENCRYPTION_KEY/);
  });

  it("refuses to start with a JWT secret that is not the server's", async () => {
    const refused = await inProcessRefusal(["--database-url", api.database.url], {
      ...secrets,
      FLUXBASE_JWT_SECRET: "x".repeat(40),
    });
    expect(refused).toMatch(
      /JWT secret is not the one of the API server at http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it("refuses to start when no server has recorded a URL, and starts with --server-url", async () => {
    const empty = await createTestDatabase();
    try {
      expect(await inProcessRefusal(["--database-url", empty.url], secrets)).toMatch(
        /no API server URL.*--server-url/,
      );
      const printed: string[] = [];
      const given = await workerInProcess(
        ["--database-url", empty.url, "--server-url", api.url],
        secrets,
        (line) => printed.push(line),
      );
      try {
        expect(printed).toEqual(["Fluxbase Local worker running (1 workers)"]);
        expect(given.pool.workerIds()).toHaveLength(1);
      } finally {
        await given.stop();
      }
    } finally {
      await empty.drop();
    }
  });
});
