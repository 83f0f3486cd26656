// Buffers a job's log lines and appends them in batches: one statement per flush,
// a flush every `intervalMs` while lines arrive, and a final flush at the end.
//
// A job's log is capped in lines and in bytes: past either cap one last line says
// the log was truncated and further lines are counted, not kept. A job flooding its
// output so costs bounded memory and bounded writes, and the writes never fall so far
// behind that recording the job's end waits on them.
import type { Db } from "../../db/connections.ts";
import { appendLogs, type LogLine } from "../../db/queries/logs.ts";

export interface LogBuffer {
  add(level: string, message: string): void;
  /** A line of the server's own (attempt failed, retrying): stored past the caps too. */
  note(level: string, message: string): void;
  /** Writes the lines added so far; resolves once they are committed. */
  flush(): Promise<void>;
  /** Writes what is left and stops the timer. */
  close(): Promise<void>;
  /** Lines refused after a cap was reached. */
  dropped(): number;
}

export const DEFAULT_MAX_LOG_LINES = 10_000;
export const DEFAULT_MAX_LOG_BYTES = 4 * 1024 * 1024;

export interface LogBufferOptions {
  db: Db;
  jobId: string;
  intervalMs?: number;
  /** Longest stored line; longer ones are cut with a note. */
  maxLineBytes?: number;
  /** Lines kept per job (default 10,000), the truncation notice and the server's notes aside. */
  maxLines?: number;
  /** Bytes of messages kept per job (default 4 MiB). */
  maxBytes?: number;
  /** What earlier attempts of the job stored already, counted against the caps. */
  used?: { lines: number; bytes: number };
  /** Runs each append, e.g. retrying it while the database is unreachable. */
  persist?<T>(write: () => Promise<T>): Promise<T>;
  onError?(err: Error): void;
}

/** Cuts text to at most `maxBytes` of UTF-8, on a character boundary. */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  // Decoding a cut sequence yields U+FFFD at the end: drop it.
  return bytes
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\ufffd$/, "");
}

export function createLogBuffer(options: LogBufferOptions): LogBuffer {
  const interval = options.intervalMs ?? 100;
  const maxLine = options.maxLineBytes ?? 64 * 1024;
  const maxLines = options.maxLines ?? DEFAULT_MAX_LOG_LINES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  const persist = options.persist ?? (<T>(write: () => Promise<T>) => write());
  let pending: LogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let lines = options.used?.lines ?? 0;
  let bytes = options.used?.bytes ?? 0;
  let dropped = 0;

  const flush = () => {
    timer = undefined;
    if (pending.length === 0) return chain;
    const batch = pending;
    pending = [];
    // Appends run one after another so line numbers follow the order of output.
    chain = chain
      .then(() => persist(() => appendLogs(options.db, options.jobId, batch)))
      .catch((err: Error) => options.onError?.(err));
    return chain;
  };

  const push = (level: string, message: string) => {
    pending.push({ level, message, at: new Date() });
    timer ??= setTimeout(flush, interval);
  };

  return {
    add(level, message) {
      if (dropped > 0) {
        dropped++;
        return;
      }
      let text = message;
      let size = Buffer.byteLength(text, "utf8");
      if (size > maxLine) {
        const cut = cutToBytes(text, maxLine);
        text = `${cut}… [${size - Buffer.byteLength(cut, "utf8")} more bytes]`;
        size = Buffer.byteLength(text, "utf8");
      }
      if (lines + 1 > maxLines || bytes + size > maxBytes) {
        dropped = 1;
        const cap = lines + 1 > maxLines ? `${maxLines} lines` : `${maxBytes} bytes`;
        push(
          "warn",
          `[log truncated: the job's log reached its limit of ${cap}; further lines are not stored]`,
        );
        return;
      }
      lines++;
      bytes += size;
      push(level, text);
    },
    note: push,
    async flush() {
      if (timer) clearTimeout(timer);
      await flush();
    },
    async close() {
      if (timer) clearTimeout(timer);
      await flush();
    },
    dropped: () => dropped,
  };
}
