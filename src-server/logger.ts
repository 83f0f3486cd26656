// A small leveled logger writing one line per event to stderr.
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const order = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 } as const;
export type LogLevelName = keyof typeof order;

export function createLogger(
  level: LogLevelName = "info",
  write: (line: string) => void = (l) => process.stderr.write(l + "\n"),
): Logger {
  const emit =
    (at: Exclude<LogLevelName, "silent">) =>
    (message: string, fields?: Record<string, unknown>) => {
      if (order[at] < order[level]) return;
      const extra = fields && Object.keys(fields).length ? " " + JSON.stringify(fields) : "";
      write(`${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} ${message}${extra}`);
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = createLogger("silent");
