// The desktop app's own small settings file, <userData>/settings.json: today only the jobs
// folder the user chose. Unreadable or malformed files count as empty settings.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

export interface DesktopSettings {
  /** The jobs folder the user chose (absolute). */
  jobsDir?: string;
}

export const settingsFile = (userDataDir: string) => path.join(userDataDir, "settings.json");

export async function loadSettings(file: string): Promise<DesktopSettings> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    if (!parsed || typeof parsed !== "object") return {};
    const { jobsDir } = parsed as Record<string, unknown>;
    return typeof jobsDir === "string" && jobsDir.trim() !== "" ? { jobsDir } : {};
  } catch {
    return {};
  }
}

/** Writes atomically (temp file, then rename), so a crash never leaves half a file. */
export async function saveSettings(file: string, settings: DesktopSettings): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  await writeFile(temp, JSON.stringify(settings, null, 2) + "\n");
  await rename(temp, file);
}
