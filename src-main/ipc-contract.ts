// The one description of what the page may ask the main process for. The preload builds its
// bridge from it and the main process registers its handlers from it, so a channel name or a
// signature cannot drift between the two sides. Desktop-only things: data goes over the SDK.

/** Native actions the main process performs for the page (each one an ipcRenderer.invoke). */
export interface DesktopService {
  /** The one-time sign-in code of the local stack, when it issued one. */
  getLoginCode(): Promise<string | null>;
  /** Asks the user for a jobs folder, remembers it and restarts the stack on it; null if cancelled. */
  chooseJobsFolder(): Promise<string | null>;
  /** Shows a file in the system's file manager. */
  revealFile(path: string): Promise<void>;
  /** Opens an http(s) URL in the system browser; false when the URL was refused. */
  openExternal(url: string): Promise<boolean>;
}

export type DesktopMethod = keyof DesktopService;

/** The invoke channel of each method, `desktop:verb`. */
export const desktopChannels = {
  getLoginCode: "desktop:get-login-code",
  chooseJobsFolder: "desktop:choose-jobs-folder",
  revealFile: "desktop:reveal-file",
  openExternal: "desktop:open-external",
} as const satisfies Record<DesktopMethod, string>;

export const desktopMethods = Object.keys(desktopChannels) as DesktopMethod[];

/** What the page sees as `window.fluxbaseDesktop`. */
export interface DesktopBridge extends DesktopService {
  serverUrl: string;
  platform: string;
}

/** The name under which the preload exposes the bridge. */
export const BRIDGE_NAME = "fluxbaseDesktop";

/** The command-line switch that hands the server URL to the preload script. */
export const SERVER_URL_SWITCH = "--fluxbase-server-url=";

/** ipcRenderer.invoke's shape, so the bridge builder is testable without Electron. */
export type Invoke = (channel: string, ...args: unknown[]) => Promise<unknown>;

/** Builds the bridge from the contract: one function per method, nothing else of IPC. */
export function createDesktopBridge(input: {
  invoke: Invoke;
  argv: readonly string[];
  platform: string;
}): DesktopBridge {
  const serverUrl =
    input.argv.find((arg) => arg.startsWith(SERVER_URL_SWITCH))?.slice(SERVER_URL_SWITCH.length) ??
    "";
  const methods = Object.fromEntries(
    desktopMethods.map((method) => [
      method,
      (...args: unknown[]) => input.invoke(desktopChannels[method], ...args),
    ]),
  ) as unknown as DesktopService;
  return { serverUrl, platform: input.platform, ...methods };
}
