// Whether an error means the database is away (down, restarting, connection lost) rather
// than that a statement failed: such requests are answered 503, worth retrying, not 500.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
// admin_shutdown, crash_shutdown, cannot_connect_now (PostgreSQL starting or recovering).
const SERVER_CODES = new Set(["57P01", "57P02", "57P03"]);
const MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
];

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    // Class 08: connection exceptions.
    if (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08")) return true;
  }
  return typeof message === "string" && MESSAGES.some((m) => m.test(message));
}
