// What a standalone worker needs before it claims a single job: the JWT secret and the
// encryption key of the API server (else every job's clients are refused, or its secrets
// unreadable) and the server's URL (else the jobs cannot build their clients). A worker
// missing any of them refuses to start with one line saying what to give it.
import { existsSync } from "node:fs";
import path from "node:path";
import type { ServerConfig } from "../config/types.ts";
import type { Db } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { latestServer } from "./registry.ts";
import { secretCheck } from "./secret-check.ts";

const NO_URL =
  "worker: no API server URL: no server has recorded one in this database yet; start `fluxbase-local serve` on it first, or pass --server-url URL (env FLUXBASE_SERVER_URL)";

/** Throws unless the worker was given (or its data dir holds) both secrets of the server. */
export function requireWorkerSecrets(
  config: Pick<ServerConfig, "dataDir" | "jwtSecret" | "encryptionKey">,
): void {
  if (!config.jwtSecret && !existsSync(path.join(config.dataDir, "keys.json"))) {
    throw new AppError(
      "CONFIG_INVALID",
      "worker: no JWT secret: set FLUXBASE_JWT_SECRET to the API server's (jwtSecret in its <data-dir>/keys.json)",
    );
  }
  if (!config.encryptionKey && !existsSync(path.join(config.dataDir, "secrets.key"))) {
    throw new AppError(
      "CONFIG_INVALID",
      "worker: no encryption key: set FLUXBASE_ENCRYPTION_KEY to the API server's (its <data-dir>/secrets.key)",
    );
  }
}

export interface WorkerTargetOptions {
  db: Db;
  /** --server-url, else FLUXBASE_PUBLIC_URL: wins over the recorded URL. */
  configuredUrl?: string;
  jwtSecret: string;
  encryptionKey: Buffer;
  /** How often the recorded URL is re-read (a server may move). */
  refreshMs: number;
  logger: Logger;
}

export interface WorkerTarget {
  serverUrl(): string;
  stop(): void;
}

export async function resolveWorkerTarget(options: WorkerTargetOptions): Promise<WorkerTarget> {
  const { db, logger } = options;
  const server = await latestServer(db);
  if (server && server.jwtCheck !== secretCheck(options.jwtSecret, "jwt")) {
    throw new AppError(
      "CONFIG_INVALID",
      `worker: its JWT secret is not the one of the API server at ${server.url}; set FLUXBASE_JWT_SECRET to the server's (jwtSecret in its <data-dir>/keys.json)`,
    );
  }
  if (server && server.keyCheck !== secretCheck(options.encryptionKey, "encryption")) {
    throw new AppError(
      "CONFIG_INVALID",
      `worker: its encryption key is not the one of the API server at ${server.url}; set FLUXBASE_ENCRYPTION_KEY to the server's (its <data-dir>/secrets.key)`,
    );
  }
  if (options.configuredUrl) {
    const url = options.configuredUrl;
    return { serverUrl: () => url, stop: () => undefined };
  }
  if (!server) throw new AppError("CONFIG_INVALID", NO_URL);

  let url = server.url;
  logger.info(
    `worker: jobs call the API server at ${url} (recorded ${server.lastSeenAt.toISOString()})`,
  );
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    latestServer(db)
      .then((latest) => {
        if (latest && latest.url !== url) {
          logger.info(`worker: the API server moved to ${latest.url}`);
          url = latest.url;
        }
      })
      .catch(() => undefined) // the database is away; keep the last known URL
      .finally(() => (refreshing = false));
  }, options.refreshMs);
  timer.unref();
  return { serverUrl: () => url, stop: () => clearInterval(timer) };
}
