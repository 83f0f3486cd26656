// The server's public entry: what the Electron main process (src-main) may import. Everything
// else under src-server/ is internal; the import boundaries in eslint.config.js enforce it.
export { runJobsCommand } from "./cli/jobs.ts";
export { resolveConfig, type ResolveConfigOptions } from "./config/index.ts";
export type { ServerConfig } from "./config/types.ts";
export { createLogger, type Logger, type LogLevelName } from "./logger.ts";
export { startLocalStack, type LocalStack, type StartLocalStackOptions } from "./main.ts";
