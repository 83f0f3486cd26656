// `npm start`: build the three bundles, then open the desktop app in Electron; where Electron
// cannot start (no binary, no display) say so in one line and run the stack headless, exactly
// like `npm run serve`, which serves the same UI at its URL. Never loads or downloads Electron.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { findElectronBinary } from "./electron-binary.ts";
import { chooseLaunchMode, errorLine, headlessNotice } from "./launch-mode.ts";

const root = path.resolve(import.meta.dirname, "..");

/** Runs a command with the terminal attached; resolves with its exit code. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    // Ctrl+C reaches the child through the terminal; a SIGTERM sent to us alone is passed on.
    const ignore = () => {};
    const forward = () => child.kill("SIGTERM");
    process.on("SIGINT", ignore);
    process.on("SIGTERM", forward);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", ignore);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function build(): Promise<void> {
  const pkg = createRequire(import.meta.url).resolve("electron-vite/package.json");
  const cli = path.join(path.dirname(pkg), "bin", "electron-vite.js");
  const code = await run(process.execPath, [cli, "build", "--logLevel", "warn"]);
  if (code !== 0) {
    process.stderr.write(`fluxbase-local: electron-vite build failed (exit ${code})\n`);
    process.exit(code);
  }
}

async function serveHeadless(argv: string[]): Promise<void> {
  const { runServer } = await import("../src-server/cli/serve.ts");
  const { AppError } = await import("../src-server/errors.ts");
  await runServer({ argv, mode: "serve" }).catch((err: unknown) => {
    process.stderr.write(errorLine(err) + "\n");
    process.exit(err instanceof AppError ? 2 : 1);
  });
}

async function main(argv: string[]): Promise<void> {
  await build();
  const binary = findElectronBinary();
  const choice = chooseLaunchMode({
    electronBinaryExists: binary !== undefined,
    platform: process.platform,
    env: process.env,
  });
  if (choice.mode === "headless") {
    process.stdout.write(headlessNotice(choice.reason) + "\n");
    await serveHeadless(argv);
    return;
  }
  process.exit(await run(binary!, [root]));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(errorLine(err) + "\n");
  process.exit(1);
});
