// Buffers a job's log lines and appends them in batches: one statement per flush,
// a flush every `intervalMs` while lines arrive, and a final flush at the end.
import type { Db } from "../db/pool.ts";
import { appendLogs, type LogLine } from "../db/queries/logs.ts";

export interface LogBuffer {
  add(level: string, message: string): void;
  /** Writes the lines added so far; resolves once they are committed. */
  flush(): Promise<void>;
  /** Writes what is left and stops the timer. */
  close(): Promise<void>;
}

export interface LogBufferOptions {
  db: Db;
  jobId: string;
  intervalMs?: number;
  /** Longest stored line; longer ones are cut with a note. */
  maxLineBytes?: number;
  onError?(err: Error): void;
}

export function createLogBuffer(options: LogBufferOptions): LogBuffer {
  const interval = options.intervalMs ?? 100;
  const maxLine = options.maxLineBytes ?? 64 * 1024;
  let pending: LogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const flush = () => {
    timer = undefined;
    if (pending.length === 0) return chain;
    const batch = pending;
    pending = [];
    // Appends run one after another so line numbers follow the order of output.
    chain = chain
      .then(() => appendLogs(options.db, options.jobId, batch))
      .catch((err: Error) => options.onError?.(err));
    return chain;
  };

  return {
    add(level, message) {
      const text = message.length > maxLine ? `${message.slice(0, maxLine)}… [${message.length - maxLine} more characters]` : message;
      pending.push({ level, message: text, at: new Date() });
      timer ??= setTimeout(flush, interval);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await flush();
    },
    async close() {
      if (timer) clearTimeout(timer);
      await flush();
    },
  };
}
