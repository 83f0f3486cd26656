// The paths no job may read or write, as Deno's --deny-read/--deny-write list. Deno
// compares paths as written, so each protected directory is listed both as given and
// as its real path, with the real paths of links directly inside it (the data dir's
// `postgres` may link to a cluster elsewhere). The server's own /proc entry is added:
// a job running as the server's user would otherwise read its environment and memory.
import { lstatSync, readdirSync, realpathSync } from "node:fs";
import path from "node:path";

function realOrNothing(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

function linkedChildren(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const targets: string[] = [];
  for (const name of names) {
    const child = path.join(dir, name);
    if (lstatSync(child, { throwIfNoEntry: false })?.isSymbolicLink()) {
      const real = realOrNothing(child);
      if (real) targets.push(real);
    }
  }
  return targets;
}

export function protectedPaths(dirs: readonly string[], serverPid = process.pid): string[] {
  const all = new Set<string>();
  for (const dir of dirs) {
    const resolved = path.resolve(dir);
    all.add(resolved);
    const real = realOrNothing(resolved);
    if (real) all.add(real);
    for (const target of linkedChildren(resolved)) all.add(target);
  }
  if (process.platform === "linux") all.add(`/proc/${serverPid}`);
  for (const entry of all) {
    if (entry.includes(",")) throw new Error(`a protected path must not contain a comma: ${entry}`);
  }
  return [...all];
}
