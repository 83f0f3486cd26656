// `npm run serve`: builds the web UI first when out/renderer is missing or older than its
// sources (renderer bundle only), then runs `fluxbase-local serve` with the same arguments,
// so the printed URLs open the UI on a fresh clone. A failed build does not stop the
// server: `/` then says how to build the UI. FLUXBASE_SKIP_UI_BUILD=1 skips the check.
import { buildRenderer, rendererBuildReason } from "./renderer-build.ts";

const reason = process.env.FLUXBASE_SKIP_UI_BUILD ? undefined : rendererBuildReason();
if (reason) {
  process.stdout.write(
    `Building the web UI (${reason === "missing" ? "not built yet" : "its sources changed"})...\n`,
  );
  const started = Date.now();
  try {
    await buildRenderer();
    process.stdout.write(`Built the web UI in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    process.stderr.write(
      `Building the web UI failed (${(err as Error).message.split("\n")[0]}); run \`npm run build\` to see why.\n`,
    );
  }
}
process.argv.splice(2, 0, "serve");
await import("../src-server/cli/main.ts");
