// The fluxbase-local command line. Each command's module is imported when it runs, so
// `serve` does not load the jobs tooling (esbuild bundling, lint) and `settings` not the server.
import { AppError } from "../errors.ts";

const HELP = `Usage: fluxbase-local <command> [options]

Commands:
  serve     Run the API, the worker pool and (unless DATABASE_URL is set) an embedded PostgreSQL
  worker    Run only a worker pool against --database-url (scale-out)
  settings  settings secrets set NAME VALUE | list | get NAME [--reveal] | delete NAME
            (system secrets of --data-dir; see "settings help")
  jobs      jobs sync --to URL --key KEY | lint | export --out FILE (see "jobs help")
  login-link  Print a fresh one-time sign-in link for the UI of a running server
  help      Show this help

Options (serve, worker):
  --port N            HTTP port (default 8080; 0 = any free port)      env FLUXBASE_PORT
  --host H            Interface to listen on (default 127.0.0.1)         env FLUXBASE_HOST
  --data-dir DIR      Database, keys and caches (default ./.fluxbase)   env FLUXBASE_DATA_DIR
  --jobs-dir DIR      Job functions folder (default ./jobs)             env FLUXBASE_JOBS_DIR
  --database-url URL  Use an existing PostgreSQL                        env DATABASE_URL
  --server-url URL    worker: the API server its jobs call (default: the
                      URL the server recorded in the database)          env FLUXBASE_SERVER_URL
  --config FILE       YAML config file (default ./fluxbase.yaml)
  --log-level L       debug | info | warn | error | silent
`;

async function main(argv: string[]): Promise<void> {
  const [command = "help", ...rest] = argv;
  switch (command) {
    case "serve":
    case "worker":
      await (await import("./serve.ts")).runServer({ argv: rest, mode: command });
      return;
    case "settings":
      await (await import("./settings.ts")).runSettingsCommand({ argv: rest });
      return;
    case "jobs":
      process.exitCode = await (await import("./jobs.ts")).runJobsCommand(rest);
      return;
    case "login-link":
      await (await import("./login-link.ts")).runLoginLinkCommand({ argv: rest });
      return;
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof AppError) {
    process.stderr.write(`fluxbase-local: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fluxbase-local: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
