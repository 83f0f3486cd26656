// Reading the three config sources into raw values: CLI flags, the YAML file,
// the environment. Nothing here converts values; see parsers.ts and resolve.ts.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { AppError } from "../errors.ts";
import { ignoredJobsKeys } from "./settings.ts";

// The YAML parser (~70 modules) is loaded only when a config file is read: resolveConfig is
// synchronous, so through require rather than import().
const requireModule = createRequire(import.meta.url);
function parseYaml(text: string): unknown {
  return (requireModule("yaml") as typeof import("yaml")).parse(text);
}

function invalid(message: string): AppError {
  return new AppError("CONFIG_INVALID", message);
}

/**
 * Parse the arguments after the command word. Accepts `--flag value` and
 * `--flag=value`; a repeated flag keeps its last value. Unknown flags and
 * positional arguments are errors.
 */
export function parseArgv(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw invalid(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.includes(name)) {
      throw invalid(`unknown option ${name} (known: ${known.join(", ")})`);
    }
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value !== undefined && value.startsWith("--")) value = undefined;
      else i++;
    }
    if (value === undefined || value.trim() === "") throw invalid(`${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

export interface ConfigFileChoice {
  path: string;
  /** Where the choice came from, for errors: "--config", "FLUXBASE_CONFIG", ... */
  origin: string;
  /** An explicitly named file must exist; a discovered one is optional. */
  explicit: boolean;
}

/**
 * The config file: --config FILE, else options.configFile, else FLUXBASE_CONFIG,
 * else fluxbase.yaml or fluxbase.yml in cwd (.yaml first). Null when none applies.
 */
export function chooseConfigFile(input: {
  flags: Map<string, string>;
  configFile?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}): ConfigFileChoice | null {
  const named: [string | undefined, string][] = [
    [input.flags.get("--config"), "--config"],
    [input.configFile, "configFile option"],
    [input.env["FLUXBASE_CONFIG"]?.trim() || undefined, "FLUXBASE_CONFIG"],
  ];
  for (const [file, origin] of named) {
    if (file) return { path: path.resolve(input.cwd, file), origin, explicit: true };
  }
  for (const name of ["fluxbase.yaml", "fluxbase.yml"]) {
    const candidate = path.join(input.cwd, name);
    if (fs.existsSync(candidate)) return { path: candidate, origin: name, explicit: false };
  }
  return null;
}

export interface YamlValues {
  /** Label used in errors, e.g. "fluxbase.yaml". */
  label: string;
  /** Flattened "section.key" → scalar value (null values are left out). */
  values: Map<string, unknown>;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Read and flatten the YAML file. Only the `server` and `jobs` sections are read;
 * other top-level sections of an upstream config (database, auth, ...) are ignored,
 * and so are unknown keys under `server`. Unknown keys under `jobs` are errors.
 */
export function readYamlFile(
  choice: ConfigFileChoice,
  knownYamlKeys: ReadonlySet<string>,
  cwd: string,
): YamlValues {
  const label = path.relative(cwd, choice.path) || choice.path;
  let text: string;
  try {
    text = fs.readFileSync(choice.path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw invalid(`${choice.origin}: cannot read config file ${choice.path}: ${reason}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw invalid(`${label}: invalid YAML: ${(error as Error).message}`);
  }
  const values = new Map<string, unknown>();
  if (doc === null || doc === undefined) return { label, values };
  if (!isMapping(doc)) throw invalid(`${label}: the top level must be a mapping of sections`);
  for (const section of ["server", "jobs"]) {
    const body = doc[section];
    if (body === null || body === undefined) continue;
    if (!isMapping(body)) throw invalid(`${label}: ${section} must be a mapping`);
    for (const [key, value] of Object.entries(body)) {
      const dotted = `${section}.${key}`;
      if (!knownYamlKeys.has(dotted)) {
        if (section === "jobs" && !ignoredJobsKeys.includes(key)) {
          throw invalid(`${label}: unknown key ${dotted}`);
        }
        continue;
      }
      if (value !== null && value !== undefined) values.set(dotted, value);
    }
  }
  return { label, values };
}
