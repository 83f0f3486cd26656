// e2e globalSetup: builds the renderer (electron-vite) when out/renderer is missing or older
// than any file under src-renderer/ or src-sdk/, so the browser tests run against today's UI.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const RENDERER_DIR = path.join(root, "out/renderer");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const index = path.join(RENDERER_DIR, "index.html");
  const sources = Math.max(
    newest(path.join(root, "src-renderer")),
    newest(path.join(root, "src-sdk")),
    statSync(path.join(root, "electron.vite.config.ts")).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/electron-vite/bin/electron-vite.js"), "build"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
