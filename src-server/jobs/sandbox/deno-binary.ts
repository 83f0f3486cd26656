// Finds the deno executable shipped by the `deno` npm package.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export function resolveDenoPath(): string {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve("deno/package.json"));
  const binary = path.join(packageDir, process.platform === "win32" ? "deno.exe" : "deno");
  if (!existsSync(binary)) {
    throw new Error(`deno executable not found at ${binary}; reinstall the "deno" package`);
  }
  return binary;
}
