// The tray item: how many jobs run right now, polled from the worker pool every second.
import { Menu, nativeImage, Tray } from "electron";

/** A 16×16 ring, so the tray needs no image file next to the bundle. */
const ICON =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAQUlEQVR4nGOwbvrGQAnGJfEfBybKAFyasRpCqmYMQ8jRjGIIPs3EuA6nAcQG7nA2gORApDgaqZKQqJKUqZKZSMIAJ9wuo25++g4AAAAASUVORK5CYII=";

export function runningJobsText(count: number): string {
  return `${count} job${count === 1 ? "" : "s"} running`;
}

export interface JobsTrayOptions {
  /** The current count, or undefined while no stack runs. */
  runningCount: () => number | undefined;
  onShowWindow: () => void;
  onQuit: () => void;
  pollMs?: number;
}

export interface JobsTray {
  /** Reads the count now (the poll does this every second). */
  refresh(): void;
  destroy(): void;
}

export function createJobsTray(options: JobsTrayOptions): JobsTray {
  const tray = new Tray(nativeImage.createFromDataURL(ICON));
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: "Show Fluxbase Local", click: options.onShowWindow },
      { type: "separator" },
      { label: "Quit", click: options.onQuit },
    ]),
  );
  tray.on("click", options.onShowWindow);
  let last: string | undefined;
  const refresh = () => {
    const count = options.runningCount();
    const text = count === undefined ? "Fluxbase Local: not running" : runningJobsText(count);
    if (text === last) return;
    last = text;
    tray.setToolTip(text);
    if (process.platform === "darwin") tray.setTitle(count ? String(count) : "");
  };
  refresh();
  const timer = setInterval(refresh, options.pollMs ?? 1000);
  return {
    refresh,
    destroy() {
      clearInterval(timer);
      tray.destroy();
    },
  };
}
