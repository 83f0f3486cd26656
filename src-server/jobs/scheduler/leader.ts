// Scheduler leadership across every instance sharing the database: a session-level
// PostgreSQL advisory lock held on a dedicated connection. When the holder stops or
// dies its connection closes, PostgreSQL releases the lock, and the next follower to
// retry (every `retryMs`) takes over. The holder pings its connection at the same pace,
// so a leader whose connection broke steps down instead of believing it still leads.
import type pg from "pg";
import type { Db } from "../../db/connections.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";

/** Upstream's scheduler lock id (compatibility §6.7), as text: it does not fit a JS number. */
export const SCHEDULER_LOCK_KEY = 0x466c757800000001n.toString();

export interface LeaderElectionOptions {
  db: Db;
  logger: Logger;
  retryMs: number;
  onChange?(leader: boolean): void;
}

export interface LeaderElection {
  start(): Promise<void>;
  stop(): Promise<void>;
  isLeader(): boolean;
}

export function createLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { db, logger, retryMs } = options;
  let client: pg.PoolClient | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let stepping: Promise<void> | undefined;

  const setLeader = (value: boolean) => {
    if (leader === value) return;
    leader = value;
    logger.info(value ? "scheduler: became leader" : "scheduler: lost leadership");
    options.onChange?.(value);
  };

  const dropClient = (broken: boolean) => {
    const c = client;
    client = undefined;
    setLeader(false);
    // A broken connection is destroyed; a healthy one goes back closed as well, so the
    // session (and any lock it held) ends for sure.
    c?.release(broken ? new Error("scheduler connection dropped") : true);
  };

  const step = async () => {
    try {
      if (!client) {
        const c = await db.connect();
        c.on("error", () => undefined);
        client = c;
      }
      if (leader) {
        await client.query("SELECT 1");
        return;
      }
      const rows = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS locked",
        [SCHEDULER_LOCK_KEY],
      );
      if (rows.rows[0]?.locked) setLeader(true);
    } catch (err) {
      if (!stopped)
        logger.warn("scheduler: leadership check failed", { error: coerceError(err).message });
      dropClient(true);
    }
  };

  const loop = () => {
    if (stopped) return;
    stepping = step().finally(() => {
      stepping = undefined;
      if (!stopped) timer = setTimeout(loop, retryMs);
    });
  };

  return {
    async start() {
      stopped = false;
      loop();
      await stepping;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await stepping;
      if (client && leader) {
        await client
          .query("SELECT pg_advisory_unlock($1::bigint)", [SCHEDULER_LOCK_KEY])
          .catch(() => undefined);
      }
      dropClient(false);
    },
    isLeader: () => leader,
  };
}
