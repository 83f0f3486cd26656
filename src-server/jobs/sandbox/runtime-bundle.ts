// The sandbox entry (src-runtime/main.ts, with the src-sdk and src-shared modules it
// imports) as one JavaScript file, which is what Deno is started with: a Deno that loads
// ~35 TypeScript modules builds a module record and a transpile-cache entry for each, and
// holds ~1-3 MB more per process than one that loads a single script
// (docs/architecture.md, "Sandbox memory").
//
// The file is named by the hash of the sources it is made of, in a directory of the
// sandbox's own, so a start with unchanged sources finds it at once (hashing ~35 small
// files). Making it takes esbuild a few hundred milliseconds, so that is done off the
// main thread (esbuild's service), once per version of the sources; the sandbox starts no
// process until it is settled (so that a process's command line, which keys reuse, never
// changes under a running server). Should esbuild fail, Deno loads the TypeScript entry.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { build, type BuildOptions } from "esbuild";

export interface RuntimeBundleOptions {
  /** The TypeScript entry (src-runtime/main.ts). */
  entryPath: string;
  /** Where bundles go; it must be readable by the sandbox user. */
  dir: string;
}

export interface RuntimeBundle {
  /** The bundle when it is made already, else the TypeScript entry. */
  entryPath(): string;
  /** Settles once the bundle is there (true) or could not be made (false). */
  ready: Promise<boolean>;
  /** `ready` while esbuild is still at work; undefined once settled. */
  pending(): Promise<boolean> | undefined;
}

/** The folders beside src-runtime/ that the entry imports from. */
const SOURCE_DIRS = ["src-runtime", "src-sdk", "src-shared"];

const BUILD: BuildOptions = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "esnext",
  write: false,
  logLevel: "silent",
  // Stack traces of the runtime's own frames are filtered out by directory (main.ts).
  sourcemap: false,
};

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .flatMap((e) =>
      e.isDirectory()
        ? sourceFiles(path.join(dir, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

/** The hash of every source the bundle could be made of, and of the entry's place among them. */
function sourcesHash(entryPath: string): string {
  const root = path.dirname(path.dirname(entryPath));
  const hash = createHash("sha256").update(path.relative(root, entryPath)).update("\0");
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(path.join(root, dir))) {
      hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex").slice(0, 16);
}

async function make(entryPath: string, target: string): Promise<void> {
  const result = await build({ ...BUILD, entryPoints: [entryPath] });
  const js = result.outputFiles?.[0]?.contents;
  if (!js) throw new Error("esbuild produced no output");
  const partial = `${target}.${process.pid}.partial`;
  await writeFile(partial, js, { mode: 0o644 });
  renameSync(partial, target);
}

/** Bundles of other sources left in `dir` by earlier versions. */
function pruneOthers(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name !== keep && name.startsWith("runtime-")) {
      rmSync(path.join(dir, name), { force: true });
    }
  }
}

export function runtimeBundle(options: RuntimeBundleOptions): RuntimeBundle {
  const { entryPath } = options;
  let target: string;
  try {
    target = path.join(options.dir, `runtime-${sourcesHash(entryPath)}.js`);
    mkdirSync(options.dir, { recursive: true, mode: 0o755 });
  } catch {
    return { entryPath: () => entryPath, ready: Promise.resolve(false), pending: () => undefined };
  }
  if (existsSync(target)) {
    return { entryPath: () => target, ready: Promise.resolve(true), pending: () => undefined };
  }
  let current = entryPath;
  let settled = false;
  const ready = make(entryPath, target).then(
    () => {
      current = target;
      settled = true;
      try {
        pruneOthers(options.dir, path.basename(target));
      } catch {
        // Left for the next start.
      }
      return true;
    },
    () => {
      settled = true;
      return false;
    },
  );
  return { entryPath: () => current, ready, pending: () => (settled ? undefined : ready) };
}
