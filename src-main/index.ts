// The Electron main process entry: wires the desktop app to the in-process local stack.
// The logic lives in app.ts (and its small modules), which unit tests drive with a fake
// `electron`; this file only supplies the real server, paths and environment.
import path from "node:path";
import { resolveConfig, runJobsCommand, startLocalStack } from "../src-server/index.ts";
import { createDesktopApp } from "./app.ts";

const here = import.meta.dirname;

createDesktopApp({
  startStack: startLocalStack,
  resolveConfig,
  exportJobs: async ({ jobsDir, outFile }) => {
    const lines: string[] = [];
    const code = await runJobsCommand(
      ["export", "--out", outFile, "--jobs-dir", jobsDir],
      (line) => {
        lines.push(line);
        return true;
      },
    );
    if (code !== 0) throw new Error(lines.join("\n") || `export failed (exit ${code})`);
    return lines;
  },
  env: process.env,
  cwd: process.cwd(),
  preloadPath: path.join(here, "../preload/preload.cjs"),
  rendererDir: path.join(here, "../renderer"),
}).run();
