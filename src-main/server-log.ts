// The server's log goes to <userData>/logs/server.log (appended), so a crash dialog can point
// at it; each line is also echoed to stderr for a terminal that started the app.
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { createLogger, type Logger, type LogLevelName } from "../src-server/index.ts";

export const serverLogFile = (userDataDir: string) => path.join(userDataDir, "logs", "server.log");

export interface ServerLog {
  file: string;
  logger: Logger;
  close(): Promise<void>;
}

export function openServerLog(options: {
  file: string;
  level?: LogLevelName;
  echo?: boolean;
}): ServerLog {
  mkdirSync(path.dirname(options.file), { recursive: true });
  const out = createWriteStream(options.file, { flags: "a" });
  out.on("error", () => undefined);
  const logger = createLogger(options.level ?? "info", (line) => {
    out.write(line + "\n");
    if (options.echo) process.stderr.write(line + "\n");
  });
  return {
    file: options.file,
    logger,
    close: () => new Promise((resolve) => out.end(() => resolve())),
  };
}
