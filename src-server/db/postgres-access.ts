// As root, PostgreSQL runs as the `postgres` user, which must be able to reach both its
// binaries (inside node_modules) and its cluster (inside the data dir). A checkout or data
// dir under a private directory (a 0700 home directory, `mktemp -d`) is closed to it.
// Then the binaries are copied once to a root-owned cache, and the cluster lives under
// /var/lib/fluxbase-local with a link to it at <dataDir>/postgres, so the data dir still
// shows where the data is.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  symlink,
} from "node:fs/promises";
import path from "node:path";
import { reachableBy, type UserIds } from "../reachable-dir.ts";
import type { PostgresBinaries } from "./postgres-binaries.ts";

export interface AccessRoots {
  /** Where copies of the binaries go. */
  cacheDir: string;
  /** Where clusters of unreachable data dirs go. */
  clustersDir: string;
}

export const defaultAccessRoots: AccessRoots = {
  cacheDir: "/var/cache/fluxbase-local",
  clustersDir: "/var/lib/fluxbase-local/clusters",
};

/** A world-searchable directory of ours (created when missing) that no one else may write. */
async function publicDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const s = await stat(dir);
  if (s.uid !== process.getuid?.() || (s.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be owned by this user and writable only by it`);
  }
}

/** The binaries, copied where the postgres user can run them when it cannot where they are. */
export async function reachableBinaries(
  bins: PostgresBinaries,
  ids: UserIds,
  roots = defaultAccessRoots,
): Promise<PostgresBinaries> {
  if (reachableBy(path.dirname(bins.postgres), ids)) return bins;
  const native = path.dirname(path.dirname(bins.postgres));
  const { version } = JSON.parse(
    await readFile(path.join(native, "..", "package.json"), "utf8"),
  ) as { version: string };
  const target = path.join(roots.cacheDir, `postgres-${version}`);
  if (!existsSync(path.join(target, "bin", "postgres"))) {
    await publicDir(roots.cacheDir);
    const partial = `${target}.${process.pid}.partial`;
    await rm(partial, { recursive: true, force: true });
    // verbatimSymlinks: the libraries' relative links must point into the copy.
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another start copied it first.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(target, "bin", "postgres"))) throw err;
    });
  }
  const at = (bin: string) => path.join(target, "bin", path.basename(bin));
  return { postgres: at(bins.postgres), initdb: at(bins.initdb), pg_ctl: at(bins.pg_ctl) };
}

/**
 * The cluster directory for a data dir: <dataDir>/postgres when the postgres user can
 * reach it, else a directory under `clustersDir` named after the data dir's real path,
 * linked from <dataDir>/postgres.
 */
export async function clusterDirectory(
  dataDir: string,
  ids: UserIds,
  roots = defaultAccessRoots,
): Promise<string> {
  const link = path.join(dataDir, "postgres");
  if (reachableBy(dataDir, ids)) {
    const existing = await lstat(link).catch(() => undefined);
    return existing?.isSymbolicLink() ? realpath(link) : link;
  }
  const key = createHash("sha256")
    .update(await realpath(dataDir))
    .digest("hex")
    .slice(0, 16);
  const cluster = path.join(roots.clustersDir, key);
  await publicDir(roots.clustersDir);
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  await chown(cluster, ids.uid, ids.gid);
  const existing = await lstat(link).catch(() => undefined);
  if (!existing) await symlink(cluster, link);
  else if (!existing.isSymbolicLink()) {
    throw new Error(
      `${link} holds a cluster the postgres user cannot reach; make ${dataDir} and its parents searchable (chmod o+x)`,
    );
  }
  return cluster;
}
