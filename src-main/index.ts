// The Electron main process: one instance, the local stack started in-process, one window
// on the stack's URL (the server serves the built UI), and the stack stopped before exit.
import path from "node:path";
import { app, BrowserWindow, shell } from "electron";
import { resolveConfig } from "../src-server/config/index.ts";
import { startLocalStack, type LocalStack } from "../src-server/main.ts";
import { desktopConfigArgs, SERVER_URL_SWITCH } from "./config.ts";

const here = import.meta.dirname;
let starting: Promise<LocalStack> | undefined;
let window: BrowserWindow | undefined;

function openWindow(url: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: "Fluxbase Local",
    webPreferences: {
      preload: path.join(here, "../preload/preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      additionalArguments: [`${SERVER_URL_SWITCH}${url}`],
    },
  });
  // Links that open a new window go to the user's browser instead.
  win.webContents.setWindowOpenHandler(({ url: target }) => {
    if (/^https?:\/\//.test(target)) void shell.openExternal(target);
    return { action: "deny" };
  });
  void win.loadURL(url);
  win.on("closed", () => (window = undefined));
  return win;
}

async function start(): Promise<void> {
  const args = desktopConfigArgs({
    env: process.env,
    userDataDir: app.getPath("userData"),
    packaged: app.isPackaged,
  });
  const config = resolveConfig({ argv: args, env: process.env, cwd: process.cwd() });
  starting = startLocalStack({ config, rendererDir: path.join(here, "../renderer") });
  const stack = await starting;
  process.stdout.write(`Fluxbase Local ready at ${stack.url}\n`);
  window = openWindow(stack.url);
}

/** Quitting waits for the stack (running jobs, PostgreSQL) to stop, then exits. */
function stopStackOnQuit(): void {
  let stopping = false;
  app.on("before-quit", (event) => {
    if (!starting) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    starting
      .then((stack) => stack.stop())
      .catch(() => undefined)
      .finally(() => app.exit(0));
  });
  app.on("window-all-closed", () => app.quit());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => app.quit());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on("second-instance", () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  stopStackOnQuit();
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      process.stderr.write(`fluxbase-local: ${(err as Error)?.stack ?? String(err)}\n`);
      starting = undefined;
      app.exit(1);
    });
}
