// A serving process records its API URL in jobs.servers and refreshes last_seen_at every
// heartbeat; standalone workers read the most recently seen row (worker-target.ts).
import { randomUUID } from "node:crypto";
import type { Db, Queryable } from "../db/connections.ts";
import type { Logger } from "../logger.ts";
import { secretCheck } from "./secret-check.ts";

export interface ServerRecord {
  url: string;
  jwtCheck: string;
  keyCheck: string;
  lastSeenAt: Date;
}

export interface ServerRegistrationOptions {
  db: Db;
  /** The URL jobs' clients call (the public URL when one is configured). */
  url: string;
  jwtSecret: string;
  encryptionKey: Buffer;
  intervalMs: number;
  logger: Logger;
}

export interface ServerRegistration {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Rows not seen for this long are dropped when a server registers. */
const FORGET_AFTER = "7 days";

export function createServerRegistration(options: ServerRegistrationOptions): ServerRegistration {
  const id = randomUUID();
  const { db, url, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let beat: Promise<void> | undefined;

  const register = () =>
    db.withTransaction(async (tx) => {
      // A restart of the same server (same URL) replaces its old row.
      await tx.query(
        `DELETE FROM jobs.servers WHERE url = $1 OR last_seen_at < now() - interval '${FORGET_AFTER}'`,
        [url],
      );
      await tx.query(
        "INSERT INTO jobs.servers (id, url, jwt_check, key_check) VALUES ($1, $2, $3, $4)",
        [
          id,
          url,
          secretCheck(options.jwtSecret, "jwt"),
          secretCheck(options.encryptionKey, "encryption"),
        ],
      );
    });

  const heartbeat = async () => {
    try {
      const rows = await db.query(
        "UPDATE jobs.servers SET last_seen_at = now() WHERE id = $1 RETURNING id",
        [id],
      );
      if (!rows.length) await register();
    } catch (err) {
      // The database is away: the next beat tries again.
      logger.debug("server heartbeat failed", { error: (err as Error).message });
    }
  };

  return {
    async start() {
      await register();
      timer = setInterval(() => {
        beat ??= heartbeat().finally(() => (beat = undefined));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await beat;
    },
  };
}

/** The most recently seen server of this database, if any has registered. */
export async function latestServer(db: Queryable): Promise<ServerRecord | undefined> {
  const rows = await db.query<{
    url: string;
    jwt_check: string;
    key_check: string;
    last_seen_at: Date;
  }>(
    "SELECT url, jwt_check, key_check, last_seen_at FROM jobs.servers ORDER BY last_seen_at DESC LIMIT 1",
  );
  const row = rows[0];
  return (
    row && {
      url: row.url,
      jwtCheck: row.jwt_check,
      keyCheck: row.key_check,
      lastSeenAt: row.last_seen_at,
    }
  );
}
