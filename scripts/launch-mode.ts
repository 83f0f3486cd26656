// Whether `npm start` can open the desktop window or must serve the UI headless. Pure: the
// caller looks at the disk and the environment, this decides.

export interface LaunchModeInput {
  /** The Electron executable of the `electron` package exists on disk. */
  electronBinaryExists: boolean;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

export type LaunchMode = { mode: "electron" } | { mode: "headless"; reason: string };

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== "";

export function chooseLaunchMode(input: LaunchModeInput): LaunchMode {
  const { env } = input;
  if (isSet(env.FLUXBASE_HEADLESS) && env.FLUXBASE_HEADLESS !== "0") {
    return { mode: "headless", reason: "FLUXBASE_HEADLESS is set" };
  }
  if (!input.electronBinaryExists) return { mode: "headless", reason: "binary not installed" };
  const desktopless = input.platform !== "darwin" && input.platform !== "win32";
  if (desktopless && !isSet(env.DISPLAY) && !isSet(env.WAYLAND_DISPLAY)) {
    return { mode: "headless", reason: "no display: DISPLAY and WAYLAND_DISPLAY are unset" };
  }
  return { mode: "electron" };
}

/** The one line `npm start` prints when it falls back to headless. */
export function headlessNotice(reason: string): string {
  return `Electron is not available here (${reason}); serving the UI headless instead.`;
}

/** An error as the one line `npm start` prints: its message, whitespace runs collapsed. */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return `fluxbase-local: ${text.replace(/\s+/g, " ").trim()}`;
}
