// The web UI's build for `npm run serve`: out/renderer is built (renderer bundle only, with
// the renderer section of electron.vite.config.ts) when it is missing or older than any
// file under src-renderer/ or src-sdk/ or the config.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../", import.meta.url));

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export interface RendererBuildOptions {
  /** The checkout (default this one). */
  root?: string;
  /** Where the UI is built (default <root>/out/renderer). */
  outDir?: string;
}

/** Why the UI needs building ("missing", "stale"), or undefined when it is up to date. */
export function rendererBuildReason(
  options: RendererBuildOptions = {},
): "missing" | "stale" | undefined {
  const root = options.root ?? repoRoot;
  const index = path.join(options.outDir ?? path.join(root, "out", "renderer"), "index.html");
  if (!existsSync(index)) return "missing";
  const sources = Math.max(
    newest(path.join(root, "src-renderer")),
    newest(path.join(root, "src-sdk")),
    existsSync(path.join(root, "electron.vite.config.ts"))
      ? statSync(path.join(root, "electron.vite.config.ts")).mtimeMs
      : 0,
  );
  return statSync(index).mtimeMs >= sources ? undefined : "stale";
}

/** Builds only the renderer bundle of electron.vite.config.ts. */
export async function buildRenderer(options: RendererBuildOptions = {}): Promise<void> {
  const root = options.root ?? repoRoot;
  const { resolveConfig } = await import("electron-vite");
  const { build, mergeConfig } = await import("vite");
  const resolved = await resolveConfig(
    { root, configFile: path.join(root, "electron.vite.config.ts"), logLevel: "warn" },
    "build",
    "production",
  );
  const renderer = resolved.config?.renderer;
  if (!renderer) throw new Error("electron.vite.config.ts has no renderer section");
  const outDir = options.outDir ?? path.join(root, "out", "renderer");
  await build(mergeConfig(renderer, { logLevel: "warn", build: { outDir, emptyOutDir: true } }));
}
