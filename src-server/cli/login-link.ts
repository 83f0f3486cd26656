// `fluxbase-local login-link`: prints a fresh one-time sign-in link for the UI of a running
// server. The code is stored (hashed) in that server's database, where the server redeems
// it, so the command needs file access to the data dir (or DATABASE_URL), like `settings`.
import { resolveConfig } from "../config/index.ts";
import { findRunningEmbeddedPostgres } from "../db/embedded.ts";
import { migrate } from "../db/migrate.ts";
import { createDb } from "../db/connections.ts";
import { issueStoredCode } from "../auth/ui-login.ts";
import { AppError } from "../errors.ts";

export const LOGIN_LINK_HELP = `Usage: fluxbase-local login-link [options]

Prints a new one-time link that signs the UI in as the local admin (valid 24 h, used once).
The server must be running on the data dir (or on --database-url).

Options:
  --data-dir DIR      Data dir of the running server (default ./.fluxbase)  env FLUXBASE_DATA_DIR
  --database-url URL  The server's PostgreSQL, when not embedded             env DATABASE_URL
  --config FILE       YAML config file (default ./fluxbase.yaml)
  --port N, --host H  Where the server listens (as given to serve)
  --url URL           The server's address as the browser reaches it (overrides host and port)
`;

export interface LoginLinkOptions {
  argv: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  print?: (line: string) => void;
}

export async function runLoginLinkCommand(options: LoginLinkOptions): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const argv = [...options.argv];
  if (argv.includes("help") || argv.includes("--help")) return print(LOGIN_LINK_HELP.trimEnd());
  let url: string | undefined;
  const at = argv.findIndex((a) => a === "--url" || a.startsWith("--url="));
  if (at !== -1) {
    const [flag] = argv.splice(at, 1);
    url = flag!.includes("=") ? flag!.slice("--url=".length) : argv.splice(at, 1)[0];
    if (!url || !/^https?:\/\//.test(url))
      throw new AppError("BAD_REQUEST", "--url needs an http(s) address");
  }
  const config = resolveConfig({
    argv,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  });
  const databaseUrl = config.databaseUrl ?? (await findRunningEmbeddedPostgres(config.dataDir));
  if (!databaseUrl) {
    throw new AppError(
      "BAD_REQUEST",
      `No server is running on ${config.dataDir}: start it with "fluxbase-local serve" (it prints a sign-in link), or pass --data-dir or --database-url`,
    );
  }
  const db = createDb({
    connectionString: databaseUrl,
    max: 1,
    applicationName: "fluxbase-local-cli",
  });
  try {
    await migrate({ db });
    const code = await issueStoredCode(db);
    const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
    const base = (url ?? config.publicUrl ?? `http://${host}:${config.port}`).replace(/\/+$/, "");
    print(`Sign in: ${base}/#/login?code=${code}`);
  } finally {
    await db.end();
  }
}
