// `fluxbase-local settings secrets set NAME VALUE [--description D] | list | get NAME
// [--reveal] | delete NAME`: the system secrets of a data dir (the guide's
// `fluxbase settings secrets ...`).
//
// It works on the database directly, with the secret store's own code and the key of the
// data dir (<dataDir>/secrets.key, or FLUXBASE_ENCRYPTION_KEY), so it needs no running
// server and no credentials beyond file access to the data dir:
//   - DATABASE_URL / --database-url: that PostgreSQL;
//   - else, when a server runs on the data dir, its embedded PostgreSQL (found through
//     postmaster.pid and the credentials file: a second cluster cannot start there);
//   - else the embedded PostgreSQL is started for the command, and stopped after it.
// Migrations are applied first, as the server does on start.
import { resolveConfig } from "../config/index.ts";
import type { ServerConfig } from "../config/types.ts";
import {
  findRunningEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from "../db/embedded.ts";
import { migrate } from "../db/migrate.ts";
import { createDb, type Db } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import {
  createSecretStore,
  loadOrCreateEncryptionKey,
  type SecretMetadata,
  type SecretStore,
} from "../secrets/index.ts";
import { checkName, checkValue } from "../secrets/rules.ts";

export const SETTINGS_HELP = `Usage: fluxbase-local settings secrets <command> [options]

Commands:
  set NAME VALUE [--description D]  Create or replace a system secret (VALUE "-": read stdin)
  list                              List system secrets (names and descriptions, never values)
  get NAME [--reveal]               Show a secret's metadata; --reveal prints its value instead
  delete NAME                       Delete a system secret

Options:
  --data-dir DIR      Data dir of the server (default ./.fluxbase)  env FLUXBASE_DATA_DIR
  --database-url URL  The server's PostgreSQL, when not embedded     env DATABASE_URL
  --config FILE       YAML config file (default ./fluxbase.yaml)
The key is <data dir>/secrets.key unless FLUXBASE_ENCRYPTION_KEY is set (as for the server).
`;

export interface SettingsCommandOptions {
  argv: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  print?: (line: string) => void;
  readStdin?: () => Promise<string>;
}

const CONFIG_FLAGS = ["--data-dir", "--database-url", "--config"];
const VALUE_FLAGS = [...CONFIG_FLAGS, "--description"];
const BOOLEAN_FLAGS = ["--reveal"];

interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
  reveal: boolean;
}

function usage(message: string): AppError {
  return new AppError("BAD_REQUEST", `${message}\n\n${SETTINGS_HELP}`);
}

/** Flags anywhere, `--flag value` or `--flag=value`; after `--` everything is positional. */
export function parseSettingsArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Map(), reveal: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (BOOLEAN_FLAGS.includes(name) && eq === -1) {
      parsed.reveal = true;
    } else if (VALUE_FLAGS.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw usage(`${name} needs a value`);
      parsed.flags.set(name, value);
    } else {
      throw usage(`unknown option ${name}`);
    }
  }
  return parsed;
}

interface OpenStore {
  store: SecretStore;
  close(): Promise<void>;
}

async function openStore(config: ServerConfig): Promise<OpenStore> {
  const encryption = await loadOrCreateEncryptionKey({
    dataDir: config.dataDir,
    configured: config.encryptionKey,
  });
  let pg: EmbeddedPostgres | undefined;
  let url = config.databaseUrl ?? (await findRunningEmbeddedPostgres(config.dataDir));
  if (!url) {
    pg = await startEmbeddedPostgres({ dataDir: config.dataDir });
    url = pg.connectionString;
  }
  let db: Db | undefined;
  const close = async () => {
    await db?.end();
    await pg?.stop();
  };
  try {
    db = createDb({ connectionString: url, max: 2, applicationName: "fluxbase-local-cli" });
    await migrate({ db });
    return { store: createSecretStore({ db, key: encryption.key }), close };
  } catch (err) {
    await close();
    throw err;
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd(),
  );
}

function describe(secret: SecretMetadata): string[] {
  return [
    `key:         ${secret.key}`,
    `description: ${secret.description ?? ""}`,
    `version:     ${secret.version}`,
    `created_at:  ${secret.created_at}`,
    `updated_at:  ${secret.updated_at}`,
  ];
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

export async function runSettingsCommand(options: SettingsCommandOptions): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const [group, command, ...rest] = options.argv;
  if (
    group === undefined ||
    group === "help" ||
    group === "--help" ||
    command === "help" ||
    command === "--help"
  ) {
    print(SETTINGS_HELP.trimEnd());
    return;
  }
  if (group !== "secrets") throw usage(`unknown settings group "${group}"`);
  const args = parseSettingsArgs(rest);
  const arity: Record<string, number> = { set: 2, list: 0, get: 1, delete: 1 };
  if (command === undefined || !(command in arity))
    throw usage(`unknown secrets command "${command ?? ""}"`);
  if (args.positionals.length !== arity[command]) {
    throw usage(
      `secrets ${command} takes ${arity[command]} argument(s), got ${args.positionals.length}`,
    );
  }
  if (args.reveal && command !== "get") throw usage("--reveal only goes with get");
  if (args.flags.has("--description") && command !== "set")
    throw usage("--description only goes with set");

  const configArgv = CONFIG_FLAGS.flatMap((flag) =>
    args.flags.has(flag) ? [flag, args.flags.get(flag)!] : [],
  );
  const config = resolveConfig({
    argv: configArgv,
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
  });
  const [name = "", value = ""] = args.positionals;
  const secretValue =
    command === "set" && value === "-" ? await (options.readStdin ?? readAllStdin)() : value;
  // Checked before any database is started.
  if (command !== "list") checkName(name, "NAME");
  if (command === "set") checkValue(secretValue, "VALUE");

  const { store, close } = await openStore(config);
  const system = { kind: "system" } as const;
  try {
    switch (command) {
      case "set": {
        const { secret, created } = await store.set(system, name, secretValue, {
          description: args.flags.get("--description"),
        });
        print(
          created
            ? `Created secret ${secret.key}`
            : `Updated secret ${secret.key} (version ${secret.version})`,
        );
        return;
      }
      case "list": {
        const secrets = await store.list(system);
        if (secrets.length === 0) return print("No secrets.");
        const rows = secrets.map((s) => [
          s.key,
          s.description ?? "",
          String(s.version),
          s.updated_at,
        ]);
        for (const line of table([["KEY", "DESCRIPTION", "VERSION", "UPDATED"], ...rows]))
          print(line);
        return;
      }
      case "get":
        if (args.reveal) return print(await store.reveal(system, name));
        for (const line of describe(await store.get(system, name))) print(line);
        return;
      case "delete":
        await store.delete(system, name);
        print(`Deleted secret ${name}`);
        return;
    }
  } finally {
    await close();
  }
}
