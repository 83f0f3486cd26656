// One LISTEN connection per process, reconnecting with backoff. Notifications wake
// the worker pool at once; polling stays as the fallback while the connection is down.
import type pg from "pg";
import type { Db } from "./connections.ts";
import type { Logger } from "../logger.ts";

export interface NotificationListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  db: Db;
  channels: string[];
  /** `senderPid`: the backend that sent it (its transaction's). */
  onNotification(channel: string, payload: string, senderPid: number): void;
  /** Called after every (re)connect: anything missed meanwhile should be re-read. */
  onConnect?(): void;
  logger: Logger;
}

export async function listen(options: ListenOptions): Promise<NotificationListener> {
  let client: pg.PoolClient | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let reconnects = 0;

  const connect = async (): Promise<void> => {
    const c = await options.db.connect();
    c.on("notification", (msg) =>
      options.onNotification(msg.channel, msg.payload ?? "", msg.processId),
    );
    let released = false;
    c.on("error", (err) => {
      if (closed || released) return;
      released = true;
      options.logger.warn("LISTEN connection lost; reconnecting", { error: err.message });
      if (client === c) client = undefined;
      try {
        c.release(true);
      } catch {
        // Already released by pg after the connection died.
      }
      scheduleReconnect();
    });
    for (const channel of options.channels) await c.query(`LISTEN "${channel.replace(/"/g, "")}"`);
    if (closed) {
      c.release(true);
      return;
    }
    client = c;
    reconnects = 0;
    options.onConnect?.();
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** reconnects++);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch((err: Error) => {
        options.logger.warn("LISTEN reconnect failed", { error: err.message });
        scheduleReconnect();
      });
    }, delay);
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      if (c) {
        await c.query("UNLISTEN *").catch(() => undefined);
        try {
          c.release();
        } catch {
          // The connection already ended.
        }
      }
    },
  };
}
