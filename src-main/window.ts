// The app window: sandboxed, no Node, on the stack's URL and nowhere else. Navigation to
// another origin is refused; window.open never opens an Electron window, and http(s) links
// go to the system browser instead.
import { BrowserWindow, dialog, shell } from "electron";
import { SERVER_URL_SWITCH } from "./ipc-contract.ts";

export function isSameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Only web links leave the app, never file:, javascript: or custom schemes. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** Opens a web link in the system browser; false when it is not http(s). */
export async function openExternalWebUrl(url: string): Promise<boolean> {
  if (!isExternalWebUrl(url)) return false;
  await shell.openExternal(url);
  return true;
}

export interface MainWindowOptions {
  url: string;
  preloadPath: string;
  title?: string;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: options.title ?? "Fluxbase Local",
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      additionalArguments: [`${SERVER_URL_SWITCH}${options.url}`],
    },
  });
  guardNavigation(win, () => options.url);
  confirmUnload(win);
  void win.loadURL(options.url);
  return win;
}

/** Keeps the window on the app's origin (read per event: a restarted stack may move). */
export function guardNavigation(win: BrowserWindow, appUrl: () => string): void {
  win.webContents.on("will-navigate", (event) => {
    if (isSameOrigin(event.url, appUrl())) return;
    event.preventDefault();
    void openExternalWebUrl(event.url);
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (!isSameOrigin(url, appUrl())) void openExternalWebUrl(url);
    return { action: "deny" };
  });
}

/**
 * A page with unsaved work (the Jobs IDE) refuses to unload; Electron then just cancels the
 * reload or close without a word, so ask here: "Leave" lets it unload.
 */
export function confirmUnload(win: BrowserWindow): void {
  win.webContents.on("will-prevent-unload", (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: "warning",
      buttons: ["Leave", "Stay"],
      defaultId: 1,
      cancelId: 1,
      title: "Unsaved changes",
      message: "The Jobs editor has unsaved changes.",
      detail: "Leave and lose them, or stay to save them?",
    });
    if (choice === 0) event.preventDefault();
  });
}
