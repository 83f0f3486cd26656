// `fluxbase-local jobs debug NAME --payload JSON`: starts a debug run on a running server for
// an editor of your own. Prints the job's inspector URL (loopback, one-time path) and a VS
// Code launch.json "attach" entry that maps the job's code onto its file in the jobs folder;
// then follows the run (which keeps the debug session alive) until it ends. Ctrl+C lets go
// of the job, which then runs on under its timeout.
import { existsSync } from "node:fs";
import path from "node:path";
import { AppError } from "../errors.ts";

export interface DebugCommandOptions {
  name: string;
  payload: string | undefined;
  /** The server (default $FLUXBASE_URL or http://127.0.0.1:8080). */
  url: string;
  /** An admin's token or the service key. */
  key: string;
  namespace?: string;
  jobsDir: string;
  print(line: string): void;
  /** Stops following (Ctrl+C): the session is detached. */
  signal?: AbortSignal;
}

interface DebugStateWire {
  job_id: string;
  status: string;
  version: number;
  inspector_url: string | null;
  note: string | null;
}

/** The job's file in the jobs folder, as VS Code's workspace sees it. */
export function jobFileFor(jobsDir: string, name: string): string {
  for (const candidate of [`${name}.ts`, `${name}/index.ts`, `${name}.js`, `${name}/index.js`]) {
    const file = path.join(jobsDir, candidate);
    if (existsSync(file)) return file;
  }
  return path.join(jobsDir, `${name}.ts`);
}

/** A launch.json configuration that attaches VS Code's JavaScript debugger to the job. */
export function launchConfig(options: { name: string; inspectorUrl: string; file: string }) {
  return {
    type: "node",
    request: "attach",
    name: `Fluxbase job: ${options.name}`,
    websocketAddress: options.inspectorUrl,
    // Deno runs the job from a blob: URL; its source map names that URL.
    sourceMaps: true,
    sourceMapPathOverrides: { "blob:null/*": options.file },
    resolveSourceMapLocations: null,
    skipFiles: ["<node_internals>/**", "**/src-runtime/**", "**/src-sdk/**"],
  };
}

export async function runDebugCommand(options: DebugCommandOptions): Promise<number> {
  let payload: unknown;
  try {
    payload = options.payload ? JSON.parse(options.payload) : {};
  } catch (error) {
    throw new AppError("BAD_REQUEST", `--payload is not JSON: ${(error as Error).message}`);
  }
  const base = `${options.url.replace(/\/$/, "")}/api/v1/admin/debug/runs`;
  const call = async (suffix: string, body?: unknown): Promise<DebugStateWire> => {
    const res = await fetch(`${base}${suffix}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${options.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as DebugStateWire & { error?: string };
    if (!res.ok) throw new AppError("BAD_REQUEST", json.error ?? `${res.status} ${res.statusText}`);
    return json;
  };

  let state = await call("", {
    job_name: options.name,
    namespace: options.namespace,
    payload,
    external: true,
  });
  const id = state.job_id;
  options.print(`debug run ${id} of ${options.name} queued`);
  let printed = false;
  while (state.status !== "ended" && state.status !== "detached") {
    if (options.signal?.aborted) {
      state = await call(`/${id}/detach`, {});
      break;
    }
    state = await call(`/${id}?after=${state.version}`);
    if (state.inspector_url && !printed) {
      printed = true;
      const file = jobFileFor(options.jobsDir, options.name);
      options.print(`inspector: ${state.inspector_url}`);
      options.print(
        "The job waits for your debugger. VS Code: add this to .vscode/launch.json and start it:",
      );
      options.print(
        JSON.stringify(
          launchConfig({ name: options.name, inspectorUrl: state.inspector_url, file }),
          null,
          2,
        ),
      );
      options.print("(Chrome: open chrome://inspect and add the address above.) Ctrl+C lets go.");
    }
  }
  options.print(`debug session ${state.status}${state.note ? `: ${state.note}` : ""}`);
  return 0;
}
