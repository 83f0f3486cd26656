// When the server fails (start-up rejects, or an uncaught error later): a dialog that names
// the log file and offers Restart or Quit.
import { dialog, type BrowserWindow } from "electron";

export type CrashChoice = "restart" | "quit";

export function crashMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 300);
}

export async function askAfterCrash(options: {
  error: unknown;
  logFile: string;
  parent?: BrowserWindow;
}): Promise<CrashChoice> {
  const box = {
    type: "error" as const,
    title: "Fluxbase Local stopped",
    message: "The local server stopped because of an error.",
    detail: `${crashMessage(options.error)}\n\nThe server log is at:\n${options.logFile}`,
    buttons: ["Restart", "Quit"],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  };
  const { response } = options.parent
    ? await dialog.showMessageBox(options.parent, box)
    : await dialog.showMessageBox(box);
  return response === 0 ? "restart" : "quit";
}
