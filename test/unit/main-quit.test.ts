// The pieces of quitting and configuration that need no window: the wait for running jobs,
// the countdown text, the remembered jobs folder and the menu's entries.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { desktopConfigArgs } from "../../src-main/config.ts";
import { buildMenuTemplate } from "../../src-main/menu.ts";
import { countdownText, runQuitSequence, waitForRunningJobs } from "../../src-main/quit.ts";
import { loadSettings, saveSettings } from "../../src-main/settings.ts";
import { runningJobsText } from "../../src-main/tray.ts";

vi.mock("electron", () => import("./main-fake-electron.ts"));

afterEach(() => vi.useRealTimers());

describe("waitForRunningJobs", () => {
  it("ticks every second until the count drops to 0", async () => {
    vi.useFakeTimers();
    const counts = [3, 3, 2, 0];
    const ticks: string[] = [];
    const done = waitForRunningJobs({
      runningCount: () => counts.shift() ?? 0,
      onTick: (n, s) => ticks.push(countdownText(n, s)),
    });
    await vi.advanceTimersByTimeAsync(3000);
    await expect(done).resolves.toBe(0);
    expect(ticks).toEqual([
      "Waiting for 3 running jobs… 30s",
      "Waiting for 3 running jobs… 29s",
      "Waiting for 2 running jobs… 28s",
    ]);
  });

  it("stops waiting at the timeout and says how many still run", async () => {
    vi.useFakeTimers();
    const done = waitForRunningJobs({
      runningCount: () => 1,
      onTick: () => undefined,
      timeoutMs: 5000,
    });
    await vi.advanceTimersByTimeAsync(5000);
    await expect(done).resolves.toBe(1);
  });

  it("the quit sequence stops the stack after the wait and closes the countdown", async () => {
    vi.useFakeTimers();
    let running = 1;
    const order: string[] = [];
    const view = { update: (t: string) => order.push(t), close: () => order.push("close") };
    const done = runQuitSequence({
      stack: async () => ({
        pool: { runningCount: () => running },
        stop: async () => void order.push("stop"),
      }),
      showCountdown: () => view,
    });
    await vi.advanceTimersByTimeAsync(1000);
    running = 0;
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(order).toEqual([
      "Waiting for 1 running job… 30s",
      "Waiting for 1 running job… 29s",
      "Stopping the database…",
      "stop",
      "close",
    ]);
  });
});

describe("desktop config and settings", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-settings-"));
  afterEach(() => rmSync(path.join(dir, "settings.json"), { force: true }));

  it("the chosen jobs folder wins over the packaged default, the environment over both", () => {
    expect(
      desktopConfigArgs({ env: {}, userDataDir: "/u", packaged: true, chosenJobsDir: "/c" }),
    ).toEqual(["--data-dir", "/u", "--jobs-dir", "/c"]);
    expect(
      desktopConfigArgs({
        env: { FLUXBASE_JOBS_DIR: "/e" },
        userDataDir: "/u",
        packaged: false,
        chosenJobsDir: "/c",
      }),
    ).toEqual(["--data-dir", "/u"]);
  });

  it("remembers the jobs folder in settings.json and tolerates a broken file", async () => {
    const file = path.join(dir, "settings.json");
    expect(await loadSettings(file)).toEqual({});
    await saveSettings(file, { jobsDir: "/my/jobs" });
    expect(await loadSettings(file)).toEqual({ jobsDir: "/my/jobs" });
    writeFileSync(file, "{not json");
    expect(await loadSettings(file)).toEqual({});
  });
});

describe("menu and tray text", () => {
  it("has the desktop actions and developer tools", () => {
    const actions = {
      openJobsFolder: vi.fn(),
      chooseJobsFolder: vi.fn(),
      exportJobs: vi.fn(),
      openSettings: vi.fn(),
      quit: vi.fn(),
    };
    const template = buildMenuTemplate(actions, "linux");
    const file = template.find((m) => m.label === "File")!.submenu as {
      label?: string;
      click?: () => void;
    }[];
    expect(file.map((i) => i.label).filter(Boolean)).toEqual([
      "Open Jobs Folder",
      "Choose Jobs Folder…",
      "Export Jobs…",
      "Settings…",
      "Quit",
    ]);
    file.find((i) => i.label === "Export Jobs…")!.click!();
    expect(actions.exportJobs).toHaveBeenCalled();
    const view = template.find((m) => m.label === "View")!.submenu as { role?: string }[];
    expect(view.map((i) => i.role)).toEqual(expect.arrayContaining(["reload", "toggleDevTools"]));
    expect(runningJobsText(0)).toBe("0 jobs running");
  });
});
