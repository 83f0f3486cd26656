// `fluxbase-local jobs sync | lint | export`: a local jobs folder checked for portability,
// bundled, and pushed to another server (ours or Fluxbase) through the SDK, or written to a
// portable archive that `jobs sync --from-archive` pushes later.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { JobFunctionInput, SyncJobsRequest, SyncJobsResponse } from "../../src-sdk/types.ts";
import { AppError } from "../errors.ts";
import { runDebugCommand } from "./debug.ts";
import type { FunctionAnnotations } from "../jobs/functions/annotations.ts";
import { prepareJobsDir, type PreparedFunction } from "../jobs/functions/loader.ts";
import { silenceHint, type PortabilityWarning } from "../jobs/functions/portability.ts";

export const JOBS_HELP = `Usage: fluxbase-local jobs <command> [options]

  sync --to URL --key SERVICE_KEY [--namespace NS] [--dry-run] [--delete-missing]
       [--jobs-dir DIR | --from-archive FILE]
                  Push the jobs folder (bundled) or an archive to a server's /admin/jobs/sync
  lint [--jobs-dir DIR]
                  Print portability warnings; exit 1 when one would break on Fluxbase
  export --out FILE [--jobs-dir DIR] [--namespace NS]
                  Write a portable archive (JSON, format fluxbase-jobs/1)
  debug NAME [--payload JSON] [--url URL] [--key KEY] [--namespace NS] [--jobs-dir DIR]
                  Start a debug run on a running server (admins; --key or $FLUXBASE_SERVICE_KEY,
                  --url or $FLUXBASE_URL, default http://127.0.0.1:8080); print its inspector URL
                  and a VS Code launch.json "attach" entry, then follow it until it ends

--jobs-dir defaults to $FLUXBASE_JOBS_DIR or ./jobs.
`;

/** Rules whose construct fails on an upstream Fluxbase server (not just behaves differently). */
const ERROR_RULES = new Set([
  "redeclared-global",
  "schema-qualified-from",
  "schedule-followed-by-comment",
  "comment-closed-by-value",
]);

export interface JobsArchive {
  format: "fluxbase-jobs/1";
  exported_at: string;
  namespace: string;
  functions: (JobFunctionInput & { files: { path: string; content: string }[] })[];
}

/** Only what the annotations say explicitly: the target server applies its own defaults. */
function annotationFields(a: FunctionAnnotations): Partial<JobFunctionInput> {
  const schedule =
    a.schedule && a.scheduleParams
      ? `${a.schedule}|${JSON.stringify(a.scheduleParams)}`
      : a.schedule;
  return {
    description: a.description,
    enabled: a.enabled,
    schedule,
    timeout_seconds: a.timeoutSeconds,
    memory_limit_mb: a.memoryLimitMb,
    max_retries: a.maxRetries,
    progress_timeout_seconds: a.progressTimeoutSeconds,
    allow_net: a.allowNet,
    allow_net_hosts: a.allowNetHosts,
    allow_env: a.allowEnv,
    allow_read: a.allowRead,
    allow_write: a.allowWrite,
    require_roles: a.requireRoles,
    disable_execution_logs: a.disableExecutionLogs,
  };
}

function printWarnings(prepared: PreparedFunction[], print: (l: string) => void): number {
  let errors = 0;
  const line = (w: PortabilityWarning) => {
    const level = ERROR_RULES.has(w.rule) ? "error" : "warning";
    if (level === "error") errors += 1;
    print(`${w.file}:${w.line}: ${level} [${w.rule}] ${w.message} (${silenceHint(w.rule)})`);
  };
  for (const p of prepared) {
    for (const w of p.fn.portability) line(w);
    if (p.problem) print(`${p.fn.name}: error ${p.problem}`);
    if (p.fn.loadable && !p.bundle.ok) print(`${p.fn.name}: error ${p.bundle.error}`);
  }
  return errors;
}

async function archiveFromDir(
  dir: string,
  namespace: string,
  print: (l: string) => void,
): Promise<JobsArchive> {
  const prepared = await prepareJobsDir(dir);
  printWarnings(prepared, print);
  const functions: JobsArchive["functions"] = [];
  for (const p of prepared) {
    if (!p.fn.loadable || !p.bundle.ok) continue;
    functions.push({
      name: p.fn.name,
      code: p.bundle.code,
      original_code: p.fn.code,
      is_bundled: true,
      ...annotationFields(p.fn.annotations),
      files: p.fn.files,
    });
  }
  return { format: "fluxbase-jobs/1", exported_at: new Date().toISOString(), namespace, functions };
}

async function readArchive(file: string): Promise<JobsArchive> {
  const archive = JSON.parse(await readFile(file, "utf8")) as JobsArchive;
  if (archive?.format !== "fluxbase-jobs/1" || !Array.isArray(archive.functions)) {
    throw new AppError("CONFIG_INVALID", `${file} is not a fluxbase-jobs/1 archive`);
  }
  return archive;
}

function options(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      to: { type: "string" },
      key: { type: "string" },
      namespace: { type: "string" },
      "dry-run": { type: "boolean" },
      "delete-missing": { type: "boolean" },
      "jobs-dir": { type: "string" },
      "from-archive": { type: "string" },
      out: { type: "string" },
      payload: { type: "string" },
      url: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
}

/**
 * POST /api/v1/admin/jobs/sync on another server with its service key. A plain request, not
 * the SDK's client: the server imports only the SDK's types (see docs/architecture.md).
 */
async function postSync(
  url: string,
  key: string,
  body: SyncJobsRequest,
): Promise<{ data: SyncJobsResponse; error?: undefined } | { error: string }> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, "")}/api/v1/admin/jobs/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", apikey: key, authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    return { error: (err as Error).message || "network error" };
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (json as { error?: unknown } | null)?.error;
    return {
      error: typeof message === "string" ? message : res.statusText || `HTTP ${res.status}`,
    };
  }
  return json ? { data: json as SyncJobsResponse } : { error: "no response" };
}

async function sync(
  o: ReturnType<typeof options>["values"],
  dir: string,
  print: (l: string) => void,
): Promise<number> {
  if (!o.to || !o.key)
    throw new AppError("CONFIG_INVALID", "jobs sync needs --to URL and --key SERVICE_KEY");
  const archive = o["from-archive"]
    ? await readArchive(o["from-archive"])
    : await archiveFromDir(dir, "default", print);
  const namespace = o.namespace ?? archive.namespace ?? "default";
  const functions = archive.functions.map(({ files: _files, ...fn }) => fn);
  const result = await postSync(o.to, o.key, {
    namespace,
    jobs: functions,
    options: { delete_missing: !!o["delete-missing"], dry_run: !!o["dry-run"] },
  });
  if (result.error !== undefined) {
    print(`sync failed: ${result.error}`);
    return 1;
  }
  const data = result.data;
  const s = data.summary;
  print(
    `${data.dry_run ? "Dry run: " : ""}namespace ${data.namespace}: created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, deleted ${s.deleted}, errors ${s.errors}`,
  );
  for (const [kind, names] of Object.entries(data.details))
    if (names.length) print(`  ${kind}: ${names.join(", ")}`);
  for (const e of data.errors) print(`  error ${e.job} (${e.action}): ${e.error}`);
  return s.errors ? 1 : 0;
}

export async function runJobsCommand(
  argv: string[],
  print = (l: string) => process.stdout.write(l + "\n"),
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    print(JOBS_HELP);
    return 0;
  }
  const { values: o, positionals } = options(rest);
  const dir = path.resolve(o["jobs-dir"] ?? process.env.FLUXBASE_JOBS_DIR ?? "jobs");
  switch (command) {
    case "sync":
      return sync(o, dir, print);
    case "lint": {
      const errors = printWarnings(await prepareJobsDir(dir), print);
      print(errors ? `${errors} portability error(s)` : "no portability errors");
      return errors ? 1 : 0;
    }
    case "export": {
      if (!o.out) throw new AppError("CONFIG_INVALID", "jobs export needs --out FILE");
      const archive = await archiveFromDir(dir, o.namespace ?? "default", print);
      await writeFile(o.out, JSON.stringify(archive, null, 2) + "\n");
      print(`exported ${archive.functions.length} function(s) to ${o.out}`);
      return 0;
    }
    case "debug": {
      const name = positionals[0];
      const key = o.key ?? process.env.FLUXBASE_SERVICE_KEY;
      if (!name || !key)
        throw new AppError(
          "CONFIG_INVALID",
          "jobs debug needs NAME and --key (or $FLUXBASE_SERVICE_KEY)",
        );
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once("SIGINT", onInterrupt);
      try {
        return await runDebugCommand({
          name,
          payload: o.payload,
          url: o.url ?? process.env.FLUXBASE_URL ?? "http://127.0.0.1:8080",
          key,
          namespace: o.namespace,
          jobsDir: dir,
          print,
          signal: stop.signal,
        });
      } finally {
        process.off("SIGINT", onInterrupt);
      }
    }
    default:
      throw new AppError("CONFIG_INVALID", `unknown jobs command "${command}"\n\n${JOBS_HELP}`);
  }
}
