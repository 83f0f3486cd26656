// Which FLUXBASE_* variables of the server's environment a job sees (`config.jobEnv`;
// compatibility §4.5, guide "Environment variables"). The rule is an allow-list by prefix with secrets carved out:
//
//   1. only names starting with FLUXBASE_ pass;
//   2. never the server's own secrets, by exact name (JWT secret, anon/service keys,
//      encryption key, setup token, S3 credentials);
//   3. never a name under FLUXBASE_DATABASE_ (connection settings and passwords) or
//      FLUXBASE_SECRET_ (upstream injects job secrets under that prefix; ours travel
//      through the secrets channel, never through the server environment);
//   4. never a name containing PASSWORD, SECRET, JWT or ENCRYPTION;
//   5. never FLUXBASE_URL or FLUXBASE_JOB_*: the runtime sets those per job.
//
// A custom `_KEY`/`_TOKEN` variable such as FLUXBASE_EXTERNAL_API_KEY does pass:
// the guide reads exactly that one inside a job.

const blockedNames = new Set([
  "FLUXBASE_JWT_SECRET",
  "FLUXBASE_AUTH_JWT_SECRET",
  "FLUXBASE_SERVICE_KEY",
  "FLUXBASE_SERVICE_ROLE_KEY",
  "FLUXBASE_ANON_KEY",
  "FLUXBASE_ENCRYPTION_KEY",
  "FLUXBASE_SECURITY_SETUP_TOKEN",
  "FLUXBASE_STORAGE_S3_ACCESS_KEY",
  "FLUXBASE_STORAGE_S3_SECRET_KEY",
  "FLUXBASE_URL",
]);
const blockedPrefixes = ["FLUXBASE_DATABASE_", "FLUXBASE_SECRET_", "FLUXBASE_JOB_"];
const blockedWords = /PASSWORD|SECRET|JWT|ENCRYPTION/;

export function isJobEnvName(name: string): boolean {
  if (!name.startsWith("FLUXBASE_")) return false;
  if (blockedNames.has(name)) return false;
  if (blockedPrefixes.some((prefix) => name.startsWith(prefix))) return false;
  return !blockedWords.test(name);
}

export function jobEnvFrom(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isJobEnvName(name)) result[name] = value;
  }
  return result;
}
