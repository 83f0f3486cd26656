// Telling a lost database from a refused write. A connection error (the server went away,
// restarts, refuses connections for now) says nothing about the data: the same write may
// succeed once the database is back. Any other error (a constraint, bad input) will fail
// again however often it is retried.

/** SQLSTATEs that mean "try again later": connection exceptions (08), shutdown, overload. */
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "40001", "40P01"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOENT", // a Unix socket that is not there (yet)
]);
const MESSAGES = [
  /connection terminated/i,
  /connection error/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /server closed the connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isConnectionError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (code.startsWith("08") || TRANSIENT_SQLSTATES.has(code) || NETWORK_CODES.has(code))
      return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  return typeof message === "string" && MESSAGES.some((re) => re.test(message));
}

export interface RetryOptions {
  /** First wait (default 100 ms), doubled after each failure up to maxMs (default 5 s). */
  baseMs?: number;
  maxMs?: number;
  /** Checked before each retry: true gives up and rethrows the last error. */
  giveUp?(): boolean;
  /** Told of each failed try (counted from 1) before its retry. */
  onRetry?(err: unknown, tries: number): void;
}

/** Runs `fn`, retrying with backoff for as long as it fails with connection errors. */
export async function retryWhileDisconnected<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const base = options.baseMs ?? 100;
  const max = options.maxMs ?? 5000;
  for (let tries = 1; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || options.giveUp?.()) throw err;
      options.onRetry?.(err, tries);
      const wait = Math.min(max, base * 2 ** Math.min(tries - 1, 20));
      await new Promise((r) => setTimeout(r, wait));
      if (options.giveUp?.()) throw err;
    }
  }
}
