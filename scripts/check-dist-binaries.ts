// `npm run dist` step: refuses, in one line, to package when node_modules lacks the target's
// PostgreSQL or Deno executables (packages are built on their own platform; see
// electron-builder.yml). Usage: tsx scripts/check-dist-binaries.ts [platform] [arch]
import { existsSync } from "node:fs";
import path from "node:path";
import { distBinaries } from "./dist-binaries.ts";

const root = path.resolve(import.meta.dirname, "..");
const platform = (process.argv[2] ?? process.platform) as NodeJS.Platform;
const arch = process.argv[3] ?? process.arch;
const binaries = distBinaries(platform, arch);
if (!binaries) {
  process.stderr.write(
    `fluxbase-local: no embedded PostgreSQL for ${platform}-${arch}; cannot package it\n`,
  );
  process.exit(1);
}
const missing = Object.values(binaries).filter((rel) => !existsSync(path.join(root, rel)));
if (missing.length) {
  process.stderr.write(
    `fluxbase-local: missing for ${platform}-${arch}: ${missing.join(", ")} (run npm ci on that platform)\n`,
  );
  process.exit(1);
}
process.stdout.write(`fluxbase-local: PostgreSQL and Deno for ${platform}-${arch} found\n`);
