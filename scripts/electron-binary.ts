// Finds the Electron executable without loading the `electron` package: since Electron 45,
// require("electron") starts a download when the binary is missing, and `npm start` must
// never wait on one. The package's install step writes path.txt next to dist/.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export function findElectronBinary(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve("electron/package.json"));
  } catch {
    return undefined;
  }
  const pathFile = path.join(packageDir, "path.txt");
  const relative = existsSync(pathFile) ? readFileSync(pathFile, "utf8").trim() : "";
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(packageDir, "dist");
  if (!relative && !env.ELECTRON_OVERRIDE_DIST_PATH) return undefined;
  const binary = path.join(distDir, relative || "electron");
  return existsSync(binary) ? binary : undefined;
}
