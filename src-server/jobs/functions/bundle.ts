// Turns a job's entry file into the single module stored in jobs.functions.code (compatibility §4.8).
// A file with relative imports (./lib/util.ts, ../_shared/db.ts) is bundled with esbuild
// (in-process, no network): npm:, jsr:, https: and bare specifiers stay external and are
// resolved by Deno at run time. A file without them is stored as written, after a parse
// that catches syntax errors, so a broken save never replaces working code. A bundle carries
// an inline source map (paths relative to the jobs folder, no copies of the sources): the
// sandbox's transpile chains it, so the debugger's breakpoints and pause locations are the
// lines of the files as written, not the bundle's (docs/architecture.md, "Debug runs").
import path from "node:path";
import { build, transform, type Message, type Plugin } from "esbuild";

export type BundleOutcome =
  { ok: true; code: string; isBundled: boolean } | { ok: false; error: string };

/** `import … from "./x"`, `import "../x"`, `export … from "./x"`, `import("./x")`. */
const relativeImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']\.\.?\//;

export function hasRelativeImports(code: string): boolean {
  return relativeImport.test(code);
}

/** Everything that is not a relative or absolute path is left for Deno to resolve. */
const externalSpecifiers: Plugin = {
  name: "deno-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
  },
};

function formatMessages(messages: Message[], baseDir: string): string {
  return messages
    .slice(0, 5)
    .map((m) => {
      const loc = m.location;
      if (!loc) return m.text;
      const file = path.isAbsolute(loc.file) ? path.relative(baseDir, loc.file) : loc.file;
      return `${file}:${loc.line}:${loc.column + 1}: ${m.text}`;
    })
    .join("; ");
}

function failure(err: unknown, baseDir: string): BundleOutcome {
  const messages = (err as { errors?: Message[] }).errors;
  const error = messages?.length
    ? formatMessages(messages, baseDir)
    : String((err as Error)?.message ?? err);
  return { ok: false, error: `Bundle failed: ${error}` };
}

export interface BundleJobOptions {
  /** Absolute path of the entry file on disk. */
  entryPath: string;
  /** Its content (already read). */
  code: string;
  /** For messages: paths are shown relative to this folder (the jobs folder). */
  baseDir: string;
}

export async function bundleJob({
  entryPath,
  code,
  baseDir,
}: BundleJobOptions): Promise<BundleOutcome> {
  const loader = entryPath.endsWith(".js") || entryPath.endsWith(".mjs") ? "js" : "ts";
  if (!hasRelativeImports(code)) {
    try {
      await transform(code, {
        loader,
        format: "esm",
        sourcefile: path.relative(baseDir, entryPath),
        logLevel: "silent",
      });
      return { ok: true, code, isBundled: false };
    } catch (err) {
      return failure(err, baseDir);
    }
  }
  try {
    const result = await build({
      entryPoints: [entryPath],
      absWorkingDir: baseDir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "esnext",
      charset: "utf8",
      logLevel: "silent",
      loader: { ".json": "json", ".geojson": "json" },
      sourcemap: "inline",
      sourcesContent: false,
      plugins: [externalSpecifiers],
    });
    const out = result.outputFiles[0]?.text;
    if (out === undefined) return { ok: false, error: "Bundle failed: no output" };
    return { ok: true, code: out, isBundled: true };
  } catch (err) {
    return failure(err, baseDir);
  }
}

/** Parses code without bundling; the error message, or null when it parses. */
export async function checkSyntax(code: string, sourcefile: string): Promise<string | null> {
  try {
    await transform(code, {
      loader: sourcefile.endsWith(".js") ? "js" : "ts",
      format: "esm",
      sourcefile,
      logLevel: "silent",
    });
    return null;
  } catch (err) {
    const outcome = failure(err, ".");
    return outcome.ok ? null : outcome.error;
  }
}

/** One place where code does not parse: 1-based line and column. */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/** Where code fails to parse (esbuild's transform, as a save would), [] when it parses. */
export async function syntaxProblems(code: string, sourcefile: string): Promise<SyntaxProblem[]> {
  try {
    await transform(code, {
      loader: /\.m?js$/.test(sourcefile) ? "js" : "ts",
      format: "esm",
      sourcefile,
      logLevel: "silent",
    });
    return [];
  } catch (err) {
    const messages = (err as { errors?: Message[] }).errors ?? [];
    if (!messages.length)
      return [{ line: 1, column: 1, message: String((err as Error)?.message ?? err) }];
    return messages.slice(0, 5).map((m) => ({
      line: m.location?.line ?? 1,
      column: (m.location?.column ?? 0) + 1,
      message: m.text,
    }));
  }
}
