// Quitting: wait for running jobs (up to 30 s) with a visible countdown, then stop the stack
// (which stops PostgreSQL cleanly). The countdown is a small window whose text is updated
// every second; the waiting itself is plain logic over runningCount(), tested with fake timers.
import { BrowserWindow } from "electron";

export const QUIT_WAIT_MS = 30_000;

export function countdownText(running: number, secondsLeft: number): string {
  return `Waiting for ${running} running job${running === 1 ? "" : "s"}… ${secondsLeft}s`;
}

export interface WaitForJobsOptions {
  runningCount: () => number;
  timeoutMs?: number;
  /** Called at once and then every second while jobs still run. */
  onTick: (running: number, secondsLeft: number) => void;
}

/** Resolves with the number of jobs still running when it stopped waiting (0, or >0 on timeout). */
export function waitForRunningJobs(options: WaitForJobsOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? QUIT_WAIT_MS;
  return new Promise((resolve) => {
    let elapsed = 0;
    const check = (): boolean => {
      const running = options.runningCount();
      if (running === 0 || elapsed >= timeoutMs) {
        resolve(running);
        return true;
      }
      options.onTick(running, Math.ceil((timeoutMs - elapsed) / 1000));
      return false;
    };
    if (check()) return;
    const timer = setInterval(() => {
      elapsed += 1000;
      if (check()) clearInterval(timer);
    }, 1000);
  });
}

/** What the countdown shows; the real one is a small window, tests use a recorder. */
export interface CountdownView {
  update(text: string): void;
  close(): void;
}

const countdownPage = (text: string) =>
  "data:text/html;charset=utf-8," +
  encodeURIComponent(
    `<!doctype html><meta charset="utf-8"><title>Quitting</title>` +
      `<body style="font:14px system-ui;margin:24px;display:flex;align-items:center">` +
      `<p id="t"></p><script>document.getElementById("t").textContent=${JSON.stringify(text)}</script>`,
  );

/** A small, always-on-top window that only shows a line of text. */
export function createCountdownWindow(parent?: BrowserWindow): CountdownView {
  let win: BrowserWindow | undefined = new BrowserWindow({
    width: 360,
    height: 110,
    parent,
    resizable: false,
    minimizable: false,
    maximizable: false,
    alwaysOnTop: true,
    title: "Quitting Fluxbase Local",
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  win.setMenu?.(null);
  win.on("closed", () => (win = undefined));
  return {
    update(text) {
      if (!win || win.isDestroyed()) return;
      void win.loadURL(countdownPage(text)).catch(() => undefined);
    },
    close() {
      if (win && !win.isDestroyed()) win.destroy();
      win = undefined;
    },
  };
}

export interface QuitSequenceOptions {
  /** The running stack, if any (undefined when it never started or crashed). */
  stack: () => Promise<{ pool: { runningCount(): number }; stop(): Promise<void> } | undefined>;
  showCountdown: () => CountdownView;
  timeoutMs?: number;
}

/** Waits for jobs (with a countdown when any run), then stops the stack. Never rejects. */
export async function runQuitSequence(options: QuitSequenceOptions): Promise<void> {
  const stack = await options.stack().catch(() => undefined);
  if (!stack) return;
  let view: CountdownView | undefined;
  try {
    await waitForRunningJobs({
      runningCount: () => stack.pool.runningCount(),
      timeoutMs: options.timeoutMs,
      onTick: (running, secondsLeft) => {
        view ??= options.showCountdown();
        view.update(countdownText(running, secondsLeft));
      },
    });
    view?.update("Stopping the database…");
    await stack.stop();
  } catch {
    // Quitting goes on: the stack's own shutdown logs what failed.
  } finally {
    view?.close();
  }
}
