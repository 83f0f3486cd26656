export { resolveConfig, defaultServerConfig, defaultJobsConfig } from "./resolve.ts";
export type { ResolveConfigOptions } from "./resolve.ts";
export { parseDurationMs, formatDurationMs } from "./duration.ts";
export { isJobEnvName, jobEnvFrom } from "./job-env.ts";
export type { JobsConfig, ServerConfig } from "./types.ts";
