// The directories of a sandbox runtime: content-addressed job code, Deno's own cache
// (DENO_DIR) and the sandboxes' home. Deno keeps localStorage and Cache API data in
// <DENO_DIR>/location_data, one folder for every job of every user; a plain file is
// put there instead, so that storage cannot be created at all.
import { lstatSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SandboxDirs } from "./args.ts";

export function blockLocationData(denoDir: string): void {
  const location = path.join(denoDir, "location_data");
  const existing = lstatSync(location, { throwIfNoEntry: false });
  if (existing?.isFile()) return;
  if (existing) rmSync(location, { recursive: true, force: true });
  writeFileSync(location, "Web storage is turned off for Fluxbase jobs.\n", { mode: 0o444 });
}

export function sandboxDirs(cacheDir: string): SandboxDirs {
  const root = path.resolve(cacheDir);
  if (root.includes(",")) throw new Error(`sandbox cacheDir must not contain a comma: ${root}`);
  const dirs = {
    codeDir: path.join(root, "code"),
    denoDir: path.join(root, "deno"),
    homeDir: path.join(root, "home"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  blockLocationData(dirs.denoDir);
  return dirs;
}
