// Embedded PostgreSQL started from a private (0700) directory, as a root user's checkout in
// a home directory or `mktemp -d` is: PostgreSQL then runs as the `postgres` user, which
// cannot search that directory, so its cluster and (when needed) its binaries are placed
// where it can, and the data survives a restart.
import {
  mkdtemp,
  mkdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
  chmod,
  lstat,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../src-server/db/embedded.ts";
import { reachableBinaries } from "../../src-server/db/postgres-access.ts";
import { reachableBy } from "../../src-server/reachable-dir.ts";

const isRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function privateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-private-"));
  await chmod(dir, 0o700);
  cleanup.push(dir);
  return dir;
}

describe("embedded PostgreSQL in a private directory", () => {
  it("starts, and keeps its data across a restart", async () => {
    const dataDir = path.join(await privateDir(), ".fluxbase");
    const first = await startEmbeddedPostgres({ dataDir, database: "app" });
    const link = path.join(dataDir, "postgres");
    if (isRoot) {
      // The cluster lives where the postgres user can reach it, linked from the data dir.
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(first.pgDataDir).toBe(await readlink(link));
      cleanup.push(first.pgDataDir);
    } else {
      expect(first.pgDataDir).toBe(link);
    }
    const c1 = new pg.Client({ connectionString: first.connectionString });
    await c1.connect();
    await c1.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await c1.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, database: "app" });
    const c2 = new pg.Client({ connectionString: second.connectionString });
    await c2.connect();
    const { rows } = await c2.query("SELECT v FROM kept");
    await c2.end();
    await second.stop();
    expect(rows).toEqual([{ v: "still here" }]);
  });

  it("copies binaries the postgres user cannot reach into a cache, links and all", async () => {
    const root = await privateDir();
    const native = path.join(root, "pkg", "native");
    await mkdir(path.join(native, "bin"), { recursive: true });
    await mkdir(path.join(native, "lib"), { recursive: true });
    await writeFile(path.join(root, "pkg", "package.json"), JSON.stringify({ version: "1.2.3" }));
    for (const bin of ["postgres", "initdb", "pg_ctl"])
      await writeFile(path.join(native, "bin", bin), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(path.join(native, "lib", "libpq.so.5.18"), "lib");
    await symlink("libpq.so.5.18", path.join(native, "lib", "libpq.so.5"));
    const bins = {
      postgres: path.join(native, "bin", "postgres"),
      initdb: path.join(native, "bin", "initdb"),
      pg_ctl: path.join(native, "bin", "pg_ctl"),
    };
    const cacheDir = path.join(tmpdir(), `fluxbase-cache-${process.pid}`);
    cleanup.push(cacheDir);
    // Someone other than the owner: a uid and gid that own nothing here.
    const stranger = { uid: 54_321, gid: 54_321 };
    expect(reachableBy(path.dirname(bins.postgres), stranger)).toBe(false);

    const copied = await reachableBinaries(bins, stranger, {
      cacheDir,
      clustersDir: path.join(cacheDir, "clusters"),
    });
    expect(copied.postgres).toBe(path.join(cacheDir, "postgres-1.2.3", "bin", "postgres"));
    expect(reachableBy(path.dirname(copied.postgres), stranger)).toBe(true);
    expect(await readlink(path.join(cacheDir, "postgres-1.2.3", "lib", "libpq.so.5"))).toBe(
      "libpq.so.5.18",
    );
    expect(await readFile(copied.initdb, "utf8")).toBe("#!/bin/sh\n");
  });
});
