// The desktop app's lifecycle, wired by index.ts: one instance; start-up resolves the config
// (user-data folder for data, the remembered jobs folder), starts the local stack, then opens
// the window on the stack's URL; quitting waits for running jobs with a countdown and stops
// the stack; a server crash offers Restart or Quit. Electron comes from the `electron`
// module (faked in unit tests); the server and the config resolver are passed in.
import path from "node:path";
import { app, BrowserWindow, dialog, ipcMain, Menu, shell } from "electron";
import type {
  LocalStack,
  ResolveConfigOptions,
  ServerConfig,
  StartLocalStackOptions,
} from "../src-server/index.ts";
import { desktopConfigArgs } from "./config.ts";
import { askAfterCrash } from "./crash.ts";
import type { DesktopService } from "./ipc-contract.ts";
import { registerDesktopService } from "./ipc.ts";
import { buildMenuTemplate } from "./menu.ts";
import { createCountdownWindow, QUIT_WAIT_MS, runQuitSequence } from "./quit.ts";
import { openServerLog, serverLogFile, type ServerLog } from "./server-log.ts";
import { loadSettings, saveSettings, settingsFile } from "./settings.ts";
import { createJobsTray, type JobsTray } from "./tray.ts";
import { createMainWindow, openExternalWebUrl } from "./window.ts";

export interface DesktopAppOptions {
  startStack: (options: StartLocalStackOptions) => Promise<LocalStack>;
  resolveConfig: (options: ResolveConfigOptions) => ServerConfig;
  /** Writes the export archive of a jobs folder; returns lines to show the user. */
  exportJobs: (input: { jobsDir: string; outFile: string }) => Promise<string[]>;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  preloadPath: string;
  rendererDir: string;
  quitWaitMs?: number;
  /** Where SIGINT/SIGTERM and uncaught errors are heard (default: process). */
  processEvents?: Pick<NodeJS.EventEmitter, "on">;
}

export interface DesktopApp {
  /** Takes the single-instance lock and starts; false when another instance has it. */
  run(): boolean;
  /** Settles once the first start-up attempt is over (tests wait on it). */
  ready(): Promise<void>;
  /** The running stack, if any. */
  stack(): LocalStack | undefined;
  /** Handles a server failure: stop what is left, ask Restart or Quit. */
  crashed(error: unknown): Promise<void>;
}

export function createDesktopApp(options: DesktopAppOptions): DesktopApp {
  let starting: Promise<LocalStack> | undefined;
  let stack: LocalStack | undefined;
  let window: BrowserWindow | undefined;
  let tray: JobsTray | undefined;
  let log: ServerLog | undefined;
  let firstStart: Promise<void> = Promise.resolve();
  let quitting = false;
  let quitDone = false;
  let crashing = false;

  const userData = () => app.getPath("userData");

  function showWindow(url: string): void {
    const old = window;
    const win = createMainWindow({ url, preloadPath: options.preloadPath });
    win.on("closed", () => {
      if (window === win) window = undefined;
    });
    window = win;
    // A new window before the old one closes, so window-all-closed does not quit.
    if (old && !old.isDestroyed()) old.destroy();
  }

  function focusWindow(): void {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  async function start(): Promise<void> {
    try {
      const settings = await loadSettings(settingsFile(userData()));
      const argv = desktopConfigArgs({
        env: options.env,
        userDataDir: userData(),
        packaged: app.isPackaged,
        chosenJobsDir: settings.jobsDir,
      });
      const config = options.resolveConfig({ argv, env: options.env, cwd: options.cwd });
      log ??= openServerLog({
        file: serverLogFile(userData()),
        level: config.logLevel,
        echo: !app.isPackaged,
      });
      starting = options.startStack({
        config,
        logger: log.logger,
        rendererDir: options.rendererDir,
      });
      stack = await starting;
    } catch (error) {
      starting = undefined;
      await crashed(error);
      return;
    }
    log.logger.info(`Fluxbase Local ready at ${stack.url}`);
    if (quitting) return;
    showWindow(stack.url);
  }

  async function stopStack(): Promise<void> {
    const running = starting;
    starting = undefined;
    stack = undefined;
    await running?.then((s) => s.stop()).catch(() => undefined);
  }

  async function crashed(error: unknown): Promise<void> {
    if (crashing || quitting) return;
    crashing = true;
    const logFile = serverLogFile(userData());
    log?.logger.error("the server stopped", { error: (error as Error)?.stack ?? String(error) });
    await stopStack();
    const choice = await askAfterCrash({ error, logFile, parent: window });
    crashing = false;
    if (choice === "restart") await start();
    else app.exit(1);
  }

  async function chooseJobsFolder(): Promise<string | null> {
    const box = {
      title: "Choose the jobs folder",
      properties: ["openDirectory" as const, "createDirectory" as const],
    };
    const result = window
      ? await dialog.showOpenDialog(window, box)
      : await dialog.showOpenDialog(box);
    const dir = result.canceled ? undefined : result.filePaths[0];
    if (!dir) return null;
    await saveSettings(settingsFile(userData()), { jobsDir: dir });
    await stopStack();
    await start();
    return dir;
  }

  const service: DesktopService = {
    getLoginCode: async () => stack?.uiLoginCode ?? null,
    chooseJobsFolder,
    revealFile: async (file) => {
      if (typeof file === "string" && path.isAbsolute(file)) shell.showItemInFolder(file);
    },
    openExternal: async (url) => typeof url === "string" && openExternalWebUrl(url),
  };

  async function exportJobs(): Promise<void> {
    const jobsDir = stack?.config.jobs.jobsDir;
    if (!jobsDir) return;
    const box = {
      title: "Export jobs",
      defaultPath: path.join(app.getPath("documents"), "fluxbase-jobs.json"),
    };
    const result = window
      ? await dialog.showSaveDialog(window, box)
      : await dialog.showSaveDialog(box);
    if (result.canceled || !result.filePath) return;
    try {
      const lines = await options.exportJobs({ jobsDir, outFile: result.filePath });
      await dialog.showMessageBox({
        type: "info",
        message: "Jobs exported",
        detail: lines.join("\n"),
      });
    } catch (error) {
      await dialog.showMessageBox({
        type: "error",
        message: "Export failed",
        detail: String((error as Error)?.message ?? error),
      });
    }
  }

  async function openSettings(): Promise<void> {
    const jobsDir = stack?.config.jobs.jobsDir ?? "(not running)";
    const { response } = await dialog.showMessageBox({
      type: "info",
      title: "Settings",
      message: "Fluxbase Local settings",
      detail: `Jobs folder: ${jobsDir}\nData folder: ${stack?.config.dataDir ?? userData()}\nServer log: ${serverLogFile(userData())}`,
      buttons: ["Choose Jobs Folder…", "Show Server Log", "Close"],
      defaultId: 2,
      cancelId: 2,
    });
    if (response === 0) await chooseJobsFolder();
    if (response === 1) shell.showItemInFolder(serverLogFile(userData()));
  }

  function onBeforeQuit(event: { preventDefault(): void }): void {
    if (quitDone) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    void runQuitSequence({
      stack: async () => (starting ? await starting : undefined),
      showCountdown: () => createCountdownWindow(window),
      timeoutMs: options.quitWaitMs ?? QUIT_WAIT_MS,
    }).finally(async () => {
      tray?.destroy();
      await log?.close();
      quitDone = true;
      app.exit(0);
    });
  }

  function wire(): void {
    app.on("second-instance", focusWindow);
    app.on("before-quit", onBeforeQuit);
    app.on("window-all-closed", () => {
      if (!quitting && !crashing) app.quit();
    });
    app.on("activate", focusWindow);
    const events = options.processEvents ?? process;
    for (const signal of ["SIGINT", "SIGTERM"]) events.on(signal, () => app.quit());
    events.on("uncaughtException", (error: unknown) => void crashed(error));
    events.on("unhandledRejection", (error: unknown) => void crashed(error));
    registerDesktopService({ ipcMain, service, allowedUrl: () => stack?.url });
  }

  async function whenReady(): Promise<void> {
    await app.whenReady();
    const template = buildMenuTemplate(
      {
        openJobsFolder: () => void (stack && shell.openPath(stack.config.jobs.jobsDir)),
        chooseJobsFolder: () => void chooseJobsFolder(),
        exportJobs: () => void exportJobs(),
        openSettings: () => void openSettings(),
        quit: () => app.quit(),
      },
      process.platform,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
    tray = createJobsTray({
      runningCount: () => stack?.pool.runningCount(),
      onShowWindow: focusWindow,
      onQuit: () => app.quit(),
    });
    await start();
  }

  return {
    run() {
      if (!app.requestSingleInstanceLock()) {
        app.quit();
        return false;
      }
      wire();
      firstStart = whenReady();
      return true;
    },
    ready: () => firstStart,
    stack: () => stack,
    crashed,
  };
}
