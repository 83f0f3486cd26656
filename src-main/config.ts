// Where the desktop app keeps its data and finds its jobs: the user's app-data folder for
// data, the jobs folder the user chose (or ./jobs in a checkout, <userData>/jobs when
// packaged), unless the environment says otherwise. Pure, so tested without Electron.

export interface DesktopConfigInput {
  env: Readonly<Record<string, string | undefined>>;
  /** app.getPath("userData"). */
  userDataDir: string;
  /** app.isPackaged: a packaged app has no ./jobs of a checkout to use. */
  packaged: boolean;
  /** The jobs folder remembered in settings.json. */
  chosenJobsDir?: string;
}

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== "";

/** Flags for resolveConfig; the environment and fluxbase.yaml still apply where no flag is given. */
export function desktopConfigArgs(input: DesktopConfigInput): string[] {
  const args: string[] = [];
  if (!isSet(input.env.FLUXBASE_DATA_DIR)) args.push("--data-dir", input.userDataDir);
  if (!isSet(input.env.FLUXBASE_JOBS_DIR)) {
    if (isSet(input.chosenJobsDir)) args.push("--jobs-dir", input.chosenJobsDir!);
    else if (input.packaged) args.push("--jobs-dir", `${input.userDataDir}/jobs`);
  }
  return args;
}

export { SERVER_URL_SWITCH } from "./ipc-contract.ts";
