// The handler typings type-check a job both ways they are read: jobs/jobs.d.ts (editors on
// a jobs folder, with the SDK's own client types) and the app's code editor (Monaco's
// ambient JOB_TYPES). Both take the handler's declarations from src-shared/job-handler.d.ts.
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { JOB_TYPES } from "../../src-renderer/editor/job-types.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** A job that uses every member a handler sees. */
const JOB = `
export async function handler(
  req: Request,
  fluxbase: FluxbaseClient | null,
  fluxbaseService: FluxbaseClient | null,
  job: JobUtils,
) {
  const context: JobContext = job.getJobContext();
  const role: string | undefined = context.user?.role;
  const payload = job.getJobPayload<{ items: string[] }>();
  job.reportProgress(10, "started", { items: payload.items.length });
  if (job.checkCancellation() || (await job.isCancelled())) return null;
  const key: string = secrets.getRequired("API_KEY");
  const maybe: string | undefined = secrets.get("X") ?? secrets.getUser("X") ?? secrets.getSystem("X");
  Fluxbase.reportProgress(100);
  const client = createClient("http://localhost", "key");
  await client.from("t").select("*");
  await fluxbase?.jobs.submit("other", {});
  await fluxbaseService?.from("t").select("id");
  const typed: JobHandler = handler;
  return { ok: true, role, key, maybe, retry: context.retry_count, typed: typeof typed };
}
`;

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  types: [],
};

function diagnostics(files: Record<string, string>, roots: string[]): string[] {
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files[name] ?? readFile(name);
  host.fileExists = (name) => name in files || fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version) =>
    name in files ? ts.createSourceFile(name, files[name]!, version) : getSourceFile(name, version);
  const program = ts.createProgram(roots, OPTIONS, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
}

// A TypeScript program with the DOM lib takes seconds to check on a busy machine.
describe("handler typings", { timeout: 60_000 }, () => {
  it("type-check a job in the app's code editor (Monaco's ambient typings)", () => {
    const typesFile = path.join(root, ".editor-job-types.d.ts");
    const jobFile = path.join(root, ".editor-job.ts");
    expect(diagnostics({ [typesFile]: JOB_TYPES, [jobFile]: JOB }, [typesFile, jobFile])).toEqual(
      [],
    );
  });

  it("type-check a job in a jobs folder that references jobs.d.ts", () => {
    const jobFile = path.join(root, "jobs", ".typings-check.ts");
    const source = `/// <reference path="./jobs.d.ts" />\n${JOB}`;
    expect(diagnostics({ [jobFile]: source }, [jobFile])).toEqual([]);
  });
});
