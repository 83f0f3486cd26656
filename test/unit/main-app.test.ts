// The desktop app's lifecycle with `electron` faked: start-up order, single instance, the
// quit sequence with its countdown, crash → dialog → restart, and the IPC origin check.
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServerConfig } from "../../src-server/config/types.ts";
import type { LocalStack } from "../../src-server/main.ts";
import { createDesktopApp, type DesktopAppOptions } from "../../src-main/app.ts";
import { BrowserWindow, dialog, events, fake, Tray } from "./main-fake-electron.ts";

vi.mock("electron", () => import("./main-fake-electron.ts"));

interface FakeStackControl {
  running: number;
  stops: number;
}

function fakeStack(url: string, control: FakeStackControl): LocalStack {
  return {
    url,
    config: { dataDir: fake.userData, jobs: { jobsDir: "/jobs" } } as ServerConfig,
    pool: { runningCount: () => control.running },
    uiLoginCode: "code-123",
    stop: async () => {
      control.stops += 1;
      events.push("stack.stop");
    },
  } as unknown as LocalStack;
}

function setup(overrides: Partial<DesktopAppOptions> = {}) {
  const control: FakeStackControl = { running: 0, stops: 0 };
  const processEvents = new EventEmitter();
  const argvSeen: (readonly string[])[] = [];
  let port = 5000;
  const options: DesktopAppOptions = {
    resolveConfig: (o) => {
      events.push("config");
      argvSeen.push(o.argv ?? []);
      return {
        dataDir: fake.userData,
        logLevel: "silent",
        jobs: { jobsDir: "/jobs" },
      } as unknown as ServerConfig;
    },
    startStack: async () => {
      events.push("stack");
      return fakeStack(`http://127.0.0.1:${port++}`, control);
    },
    exportJobs: async () => [],
    env: {},
    cwd: "/repo",
    preloadPath: "/out/preload/preload.cjs",
    rendererDir: "/out/renderer",
    processEvents,
    ...overrides,
  };
  const desktop = createDesktopApp(options);
  return { desktop, control, processEvents, argvSeen };
}

/** The line a countdown page shows (its script sets the text). */
function countdownLine(dataUrl: string): string {
  const match = /textContent=("(?:[^"\\]|\\.)*")/.exec(decodeURIComponent(dataUrl));
  return JSON.parse(match![1]!) as string;
}

let userData: string;
beforeEach(() => {
  fake.reset();
  userData = mkdtempSync(path.join(tmpdir(), "fluxbase-main-"));
  fake.userData = userData;
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout"] });
});
afterEach(() => {
  for (const tray of Tray.all) tray.destroy();
  vi.clearAllTimers();
  vi.useRealTimers();
  rmSync(userData, { recursive: true, force: true });
});

describe("start-up", () => {
  it("resolves the config, then starts the stack, then opens the window on its URL", async () => {
    const { desktop, argvSeen } = setup();
    expect(desktop.run()).toBe(true);
    await desktop.ready();
    expect(events.filter((e) => ["config", "stack", "window"].includes(e))).toEqual([
      "config",
      "stack",
      "window",
    ]);
    expect(argvSeen[0]).toEqual(["--data-dir", userData]);
    const win = BrowserWindow.all[0]!;
    expect(win.loaded).toEqual(["http://127.0.0.1:5000"]);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: "/out/preload/preload.cjs",
    });
    expect(existsSync(path.join(userData, "logs"))).toBe(true);
  });

  it("uses the jobs folder remembered in settings.json", async () => {
    writeFileSync(path.join(userData, "settings.json"), JSON.stringify({ jobsDir: "/my/jobs" }));
    const { desktop, argvSeen } = setup();
    desktop.run();
    await desktop.ready();
    expect(argvSeen[0]).toEqual(["--data-dir", userData, "--jobs-dir", "/my/jobs"]);
  });
});

describe("single instance", () => {
  it("a second launch quits itself without starting anything", async () => {
    fake.lock = false;
    const { desktop } = setup();
    expect(desktop.run()).toBe(false);
    expect(events).toEqual(["app.quit"]);
  });

  it("the first instance focuses (and restores) its window on second-instance", async () => {
    const { desktop } = setup();
    desktop.run();
    await desktop.ready();
    const win = BrowserWindow.all[0]!;
    win.minimized = true;
    fake.appEvents.emit("second-instance");
    expect(win.minimized).toBe(false);
    expect(win.focusCount).toBe(1);
  });
});

describe("quitting", () => {
  it("waits for running jobs with a countdown, then stops the stack, then exits", async () => {
    const { desktop, control } = setup();
    desktop.run();
    await desktop.ready();
    control.running = 2;
    const prevented = vi.fn();
    fake.appEvents.emit("before-quit", { preventDefault: prevented });
    expect(prevented).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    const countdown = BrowserWindow.all[1]!;
    const texts = () => countdown.loaded.map((u) => countdownLine(u));
    expect(texts()).toEqual(["Waiting for 2 running jobs… 30s"]);
    await vi.advanceTimersByTimeAsync(1000);
    control.running = 1;
    await vi.advanceTimersByTimeAsync(1000);
    expect(texts().slice(1)).toEqual([
      "Waiting for 2 running jobs… 29s",
      "Waiting for 1 running job… 28s",
    ]);
    expect(control.stops).toBe(0);
    control.running = 0;
    await vi.advanceTimersByTimeAsync(1000);
    expect(control.stops).toBe(1);
    // The exit follows the stack's stop promise: wait for it rather than for a tick count.
    await vi.waitFor(() => expect(events.slice(-2)).toEqual(["stack.stop", "app.exit 0"]));
    expect(countdown.destroyed).toBe(true);
  });

  it("gives up waiting after 30 s and stops the stack anyway", async () => {
    const { desktop, control } = setup();
    desktop.run();
    await desktop.ready();
    control.running = 1;
    fake.appEvents.emit("before-quit", { preventDefault: () => undefined });
    await vi.advanceTimersByTimeAsync(29_000);
    expect(control.stops).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(control.stops).toBe(1);
    await vi.waitFor(() => expect(events.at(-1)).toBe("app.exit 0"));
  });

  it("with no running jobs stops at once, without a countdown window", async () => {
    const { desktop, control } = setup();
    desktop.run();
    await desktop.ready();
    fake.appEvents.emit("before-quit", { preventDefault: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    expect(control.stops).toBe(1);
    expect(BrowserWindow.all).toHaveLength(1);
  });
});

describe("server crash", () => {
  it("a failed start shows the log file's path and Restart starts the stack again", async () => {
    let attempts = 0;
    const control: FakeStackControl = { running: 0, stops: 0 };
    const { desktop } = setup({
      startStack: async () => {
        attempts += 1;
        events.push("stack");
        if (attempts === 1) throw new Error("PostgreSQL did not start");
        return fakeStack("http://127.0.0.1:6000", control);
      },
    });
    fake.messageBoxResponses = [0]; // Restart
    desktop.run();
    await desktop.ready();
    const box = dialog.showMessageBox.mock.calls[0]!.at(-1) as {
      detail: string;
      buttons: string[];
    };
    expect(box.buttons).toEqual(["Restart", "Quit"]);
    expect(box.detail).toContain("PostgreSQL did not start");
    expect(box.detail).toContain(path.join(userData, "logs", "server.log"));
    expect(attempts).toBe(2);
    expect(BrowserWindow.all[0]!.loaded).toEqual(["http://127.0.0.1:6000"]);
  });

  it("Quit exits with an error code", async () => {
    const { desktop } = setup({ startStack: () => Promise.reject(new Error("boom")) });
    fake.messageBoxResponses = [1]; // Quit
    desktop.run();
    await desktop.ready();
    expect(events.slice(-2)).toEqual(["dialog", "app.exit 1"]);
  });

  it("an uncaught error later stops the stack, asks, and restarts in a new window", async () => {
    const { desktop, control, processEvents } = setup();
    desktop.run();
    await desktop.ready();
    fake.messageBoxResponses = [0];
    processEvents.emit("uncaughtException", new Error("socket exploded"));
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(BrowserWindow.all).toHaveLength(2));
    expect(control.stops).toBe(1);
    expect(BrowserWindow.all[0]!.destroyed).toBe(true);
    expect(BrowserWindow.all[1]!.loaded).toEqual(["http://127.0.0.1:5001"]);
    expect(desktop.stack()?.url).toBe("http://127.0.0.1:5001");
  });
});

describe("tray and IPC", () => {
  it("the tray tooltip follows the running count every second", async () => {
    const { desktop, control } = setup();
    desktop.run();
    await desktop.ready();
    const tray = Tray.all[0]!;
    control.running = 3;
    await vi.advanceTimersByTimeAsync(1000);
    control.running = 1;
    await vi.advanceTimersByTimeAsync(1000);
    expect(tray.tooltips.slice(-2)).toEqual(["3 jobs running", "1 job running"]);
  });

  it("answers only the app's own origin; getLoginCode returns the stack's code", async () => {
    const { desktop } = setup();
    desktop.run();
    await desktop.ready();
    const handler = fake.handlers.get("desktop:get-login-code")!;
    expect(await handler({ senderFrame: { url: "http://127.0.0.1:5000/#/runs" } })).toBe(
      "code-123",
    );
    expect(() => handler({ senderFrame: { url: "https://evil.example/" } })).toThrow(/refused/);
    const open = fake.handlers.get("desktop:open-external")!;
    const from = { senderFrame: { url: "http://127.0.0.1:5000/" } };
    expect(await open(from, "file:///etc/passwd")).toBe(false);
    expect(await open(from, "https://fluxbase.eu/docs")).toBe(true);
  });

  it("chooseJobsFolder remembers the folder and restarts the stack on it", async () => {
    const { desktop, control, argvSeen } = setup();
    desktop.run();
    await desktop.ready();
    fake.openDialogPaths = ["/chosen/jobs"];
    const choose = fake.handlers.get("desktop:choose-jobs-folder")!;
    expect(await choose({ senderFrame: { url: "http://127.0.0.1:5000/" } })).toBe("/chosen/jobs");
    expect(JSON.parse(readFileSync(path.join(userData, "settings.json"), "utf8"))).toEqual({
      jobsDir: "/chosen/jobs",
    });
    expect(control.stops).toBe(1);
    expect(argvSeen.at(-1)).toEqual(["--data-dir", userData, "--jobs-dir", "/chosen/jobs"]);
    expect(desktop.stack()?.url).toBe("http://127.0.0.1:5001");
  });
});
