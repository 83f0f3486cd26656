// Whether PostgreSQL answers, known without asking it per request: a background probe
// runs `SELECT 1` every `intervalMs` on a connection of its own (never one of the shared
// connections of db/connections.ts, so it does not queue behind submits, claims and the realtime feed), and /health
// reads the last answer. A probe that does not answer within `timeoutMs` counts as down.
import pg from "pg";

export interface DbLivenessState {
  ok: boolean;
  /** Why the database counts as down (absent when ok). */
  reason?: string;
  /** When the state was last decided (epoch ms). */
  checkedAt: number;
}

export interface DbLiveness {
  /** The last decided state (a probe still waiting past its timeout makes it down). */
  state(): DbLivenessState;
  /** Probes now and resolves with the outcome (also used for the first state). */
  check(): Promise<DbLivenessState>;
  close(): Promise<void>;
}

export interface DbLivenessOptions {
  connectionString: string;
  intervalMs?: number;
  timeoutMs?: number;
  applicationName?: string;
}

export async function createDbLiveness(options: DbLivenessOptions): Promise<DbLiveness> {
  const intervalMs = options.intervalMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let client: pg.Client | undefined;
  let current: DbLivenessState = { ok: false, reason: "not checked yet", checkedAt: Date.now() };
  let probing: { since: number; done: Promise<DbLivenessState> } | undefined;
  let closed = false;

  const drop = () => {
    const c = client;
    client = undefined;
    void c?.end().catch(() => undefined);
  };

  const connection = async (): Promise<pg.Client> => {
    if (client) return client;
    const c = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? "fluxbase-local health",
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
    });
    // A dropped connection is noticed by the next probe; it must not crash the process.
    c.on("error", () => {
      if (client === c) drop();
    });
    client = c;
    try {
      await c.connect();
    } catch (err) {
      if (client === c) drop();
      throw err;
    }
    return c;
  };

  const probe = async (): Promise<DbLivenessState> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([connection().then((c) => c.query("SELECT 1")), timeout]);
      return { ok: true, checkedAt: Date.now() };
    } catch (err) {
      drop();
      return {
        ok: false,
        reason: `database unreachable: ${(err as Error).message}`,
        checkedAt: Date.now(),
      };
    } finally {
      clearTimeout(timer);
    }
  };

  const check = (): Promise<DbLivenessState> => {
    if (!probing) {
      const done = probe().then((state) => {
        if (!closed) current = state;
        probing = undefined;
        return state;
      });
      probing = { since: Date.now(), done };
    }
    return probing.done;
  };

  await check();
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();

  return {
    state() {
      if (probing && Date.now() - probing.since > timeoutMs) {
        return {
          ok: false,
          reason: `database unreachable: no answer within ${timeoutMs} ms`,
          checkedAt: Date.now(),
        };
      }
      return current;
    },
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      await probing?.done;
      drop();
    },
  };
}
