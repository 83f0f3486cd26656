// The directories of a sandbox runtime: Deno's own cache (DENO_DIR) and the
// sandboxes' home. Both are denied to job code (see args.ts);
// only Deno itself reads and writes them. When jobs run as another user (the server is
// root), that user must reach them: a cache dir it cannot reach (under a private 0700
// directory) is replaced by one under /var/lib/fluxbase-local/sandbox named after it.
// Deno keeps localStorage and Cache API data in <DENO_DIR>/location_data, one folder
// for every job of every user; a plain file is put there instead, so that storage
// cannot be created at all.
import { createHash } from "node:crypto";
import {
  existsSync,
  readFileSync,
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { SandboxDirs } from "./args.ts";
import { reachableBy } from "../../reachable-dir.ts";
import type { SandboxUser } from "./sandbox-user.ts";

export const SHARED_SANDBOX_ROOT = "/var/lib/fluxbase-local/sandbox";
/** In a shared root: the cache dir it stands for; once that is gone, the root goes too. */
const ORIGIN = "origin";

export interface SandboxDirsOptions {
  cacheDir: string;
  /** Jobs run as this user (undefined: as the server). */
  user?: SandboxUser;
  /** Where unreachable cache dirs are replaced (default SHARED_SANDBOX_ROOT). */
  sharedRoot?: string;
}

export function blockLocationData(denoDir: string): void {
  const location = path.join(denoDir, "location_data");
  const existing = lstatSync(location, { throwIfNoEntry: false });
  if (existing?.isFile()) return;
  if (existing) rmSync(location, { recursive: true, force: true });
  writeFileSync(location, "Web storage is turned off for Fluxbase jobs.\n", { mode: 0o444 });
}

function chownTree(target: string, user: SandboxUser): void {
  const s = lstatSync(target);
  if (s.uid === user.uid && s.gid === user.gid && !s.isDirectory()) return;
  chownSync(target, user.uid, user.gid);
  if (!s.isDirectory()) return;
  for (const entry of readdirSync(target)) chownTree(path.join(target, entry), user);
}

/** Owned by `user`, private to it (left alone when already so). */
function ownDir(dir: string, user: SandboxUser): void {
  const s = statSync(dir);
  if (s.uid !== user.uid) chownTree(dir, user);
  chmodSync(dir, 0o700);
}

/** Removes shared roots whose cache dir is gone (test runs, deleted data dirs). */
function pruneShared(sharedRoot: string): void {
  let names: string[];
  try {
    names = readdirSync(sharedRoot);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = path.join(sharedRoot, name);
    try {
      const origin = readFileSync(path.join(dir, ORIGIN), "utf8").trim();
      if (origin && !existsSync(origin)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // No origin recorded (or being created now): left alone.
    }
  }
}

function rootFor(options: SandboxDirsOptions): string {
  const root = path.resolve(options.cacheDir);
  mkdirSync(root, { recursive: true });
  if (!options.user || reachableBy(root, options.user)) return root;
  const key = createHash("sha256").update(realpathSync(root)).digest("hex").slice(0, 16);
  const sharedRoot = options.sharedRoot ?? SHARED_SANDBOX_ROOT;
  pruneShared(sharedRoot);
  const shared = path.join(sharedRoot, key);
  mkdirSync(shared, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(shared, ORIGIN), `${realpathSync(root)}\n`);
  if (!reachableBy(shared, options.user)) {
    throw new Error(
      `the sandbox user ${options.user.name} cannot reach ${shared}; make its parents searchable (chmod o+x)`,
    );
  }
  return shared;
}

export function sandboxDirs(options: SandboxDirsOptions): SandboxDirs {
  const root = rootFor(options);
  if (root.includes(",")) throw new Error(`sandbox cacheDir must not contain a comma: ${root}`);
  const dirs = {
    rootDir: root,
    denoDir: path.join(root, "deno"),
    homeDir: path.join(root, "home"),
  };
  for (const dir of [dirs.denoDir, dirs.homeDir]) mkdirSync(dir, { recursive: true });
  if (options.user) {
    ownDir(dirs.denoDir, options.user);
    ownDir(dirs.homeDir, options.user);
  }
  blockLocationData(dirs.denoDir);
  return dirs;
}
