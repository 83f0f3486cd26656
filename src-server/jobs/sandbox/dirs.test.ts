import { chmodSync, existsSync, lstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sandboxDirs } from "./dirs.ts";
import { lookUpUser } from "./sandbox-user.ts";

const made: string[] = [];
const tempDir = (mode: number) => {
  const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-dirs-"));
  chmodSync(dir, mode);
  made.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("sandboxDirs", () => {
  it("blocks Deno's location data with a file", () => {
    const dirs = sandboxDirs({ cacheDir: path.join(tempDir(0o755), "runtime") });
    expect(lstatSync(path.join(dirs.denoDir, "location_data")).isFile()).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)(
    "moves a cache dir the sandbox user cannot reach to the shared root, and prunes it once gone",
    () => {
      const user = lookUpUser("nobody")!;
      const sharedRoot = tempDir(0o755);
      const privateDir = tempDir(0o700);
      const first = sandboxDirs({ cacheDir: path.join(privateDir, "runtime"), user, sharedRoot });
      expect(path.dirname(first.rootDir)).toBe(sharedRoot);
      expect(statSync(first.denoDir).uid).toBe(user.uid);
      expect(statSync(first.homeDir).mode & 0o777).toBe(0o700);
      rmSync(privateDir, { recursive: true, force: true });
      sandboxDirs({ cacheDir: path.join(tempDir(0o700), "runtime"), user, sharedRoot });
      expect(existsSync(first.rootDir)).toBe(false);
    },
  );
});
