// e2e globalSetup: builds the renderer when out/renderer is missing or older than its
// sources, so the browser tests run against today's UI. The same check and renderer-only
// build as `npm run serve` (scripts/renderer-build.ts).
import path from "node:path";
import { buildRenderer, rendererBuildReason, repoRoot } from "../../scripts/renderer-build.ts";

export const RENDERER_DIR = path.join(repoRoot, "out/renderer");

export default async function setup(): Promise<void> {
  if (rendererBuildReason({ outDir: RENDERER_DIR })) await buildRenderer({ outDir: RENDERER_DIR });
}
