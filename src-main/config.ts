// Where the desktop app keeps its data: the user's app-data folder, unless the environment
// says otherwise. Pure, so the choice is tested without Electron.

export interface DesktopConfigInput {
  env: Readonly<Record<string, string | undefined>>;
  /** app.getPath("userData"). */
  userDataDir: string;
  /** app.isPackaged: a packaged app has no ./jobs of a checkout to use. */
  packaged: boolean;
}

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== "";

/** Flags for resolveConfig; the environment and fluxbase.yaml still apply where no flag is given. */
export function desktopConfigArgs(input: DesktopConfigInput): string[] {
  const args: string[] = [];
  if (!isSet(input.env.FLUXBASE_DATA_DIR)) args.push("--data-dir", input.userDataDir);
  if (input.packaged && !isSet(input.env.FLUXBASE_JOBS_DIR)) {
    args.push("--jobs-dir", `${input.userDataDir}/jobs`);
  }
  return args;
}

/** The command-line switch that hands the server URL to the preload script. */
export const SERVER_URL_SWITCH = "--fluxbase-server-url=";
