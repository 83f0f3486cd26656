// Jobs of a root server run as an unprivileged user, which must reach what it runs: the
// deno binary and the sandbox's own code (src-runtime, and src-sdk and src-shared that it imports). A
// checkout under a private directory (a 0700 home directory, `mktemp -d`) is closed to
// that user. Then those are copied once into a root-owned, world-readable cache, keyed by
// their content, and run from there (as db/postgres-access.ts does for PostgreSQL).
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { reachableBy } from "../../reachable-dir.ts";
import type { SandboxUser } from "./sandbox-user.ts";

/** The folders of the checkout the sandbox entry loads code from. */
const CODE_DIRS = ["src-runtime", "src-sdk", "src-shared"];

export interface SandboxCode {
  denoPath: string;
  entryPath: string;
}

export interface SandboxCodeOptions extends SandboxCode {
  user: Pick<SandboxUser, "uid" | "gid">;
  /** Where copies go (default /var/cache/fluxbase-local). */
  cacheDir?: string;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** The deno binary and the entry, where `user` can run them (copied when it cannot). */
export function reachableSandboxCode(options: SandboxCodeOptions): SandboxCode {
  const { denoPath, entryPath, user } = options;
  if (reachableBy(path.dirname(denoPath), user) && reachableBy(path.dirname(entryPath), user)) {
    return { denoPath, entryPath };
  }
  const root = path.dirname(path.dirname(entryPath));
  const hash = createHash("sha256");
  const deno = statSync(denoPath);
  hash.update(`${denoPath}\0${deno.size}\0${deno.mtimeMs}\0`);
  for (const dir of CODE_DIRS) {
    for (const file of filesOf(path.join(root, dir))) {
      hash.update(path.relative(root, file)).update("\0").update(readFileSync(file));
    }
  }
  const cacheDir = options.cacheDir ?? "/var/cache/fluxbase-local";
  const target = path.join(cacheDir, `sandbox-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(path.join(target, "deno"))) {
    mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
    const partial = `${target}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { mode: 0o755 });
    cpSync(denoPath, path.join(partial, "deno"));
    chmodSync(path.join(partial, "deno"), 0o755);
    for (const dir of CODE_DIRS)
      cpSync(path.join(root, dir), path.join(partial, dir), { recursive: true });
    try {
      renameSync(partial, target);
    } catch (err) {
      // Another start copied it first.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(path.join(target, "deno"))) throw err;
    }
  }
  const copy = {
    denoPath: path.join(target, "deno"),
    entryPath: path.join(target, path.relative(root, entryPath)),
  };
  if (!reachableBy(path.dirname(copy.denoPath), user)) {
    throw new Error(`jobs run as an unprivileged user, which cannot reach ${copy.denoPath}`);
  }
  return copy;
}
