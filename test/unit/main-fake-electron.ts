// A fake of the `electron` module for unit tests of src-main (the real binary never runs in
// tests). Test files mock it with: vi.mock("electron", () => import("./main-fake-electron.ts")).
import { vi } from "vitest";

type Listener = (...args: unknown[]) => unknown;

class FakeEmitter {
  listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener) {
    return this.on(event, fn);
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
}

/** What happened, in order: "window", "tray", "menu", plus what tests push themselves. */
export const events: string[] = [];

export class FakeWebContents extends FakeEmitter {
  windowOpenHandler?: (details: { url: string }) => { action: string };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  /** Fires will-navigate like Electron; returns whether it was prevented. */
  navigate(url: string): boolean {
    let prevented = false;
    this.emit("will-navigate", { url, preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export class BrowserWindow extends FakeEmitter {
  static all: BrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: string[] = [];
  destroyed = false;
  minimized = false;
  focusCount = 0;
  constructor(public options: Record<string, unknown>) {
    super();
    BrowserWindow.all.push(this);
    events.push("window");
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("closed");
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  show() {}
  focus() {
    this.focusCount += 1;
  }
  setMenu() {}
}

export class Tray extends FakeEmitter {
  static all: Tray[] = [];
  tooltips: string[] = [];
  destroyed = false;
  constructor() {
    super();
    Tray.all.push(this);
    events.push("tray");
  }
  setToolTip(text: string) {
    this.tooltips.push(text);
  }
  setTitle() {}
  setContextMenu() {}
  destroy() {
    this.destroyed = true;
  }
}

export const fake = {
  lock: true,
  packaged: false,
  userData: "/tmp/fluxbase-fake-user-data",
  /** Responses the next showMessageBox calls return, in order (then 0). */
  messageBoxResponses: [] as number[],
  openDialogPaths: [] as string[],
  appEvents: new FakeEmitter(),
  handlers: new Map<string, Listener>(),
  reset() {
    events.length = 0;
    BrowserWindow.all = [];
    Tray.all = [];
    fake.lock = true;
    fake.packaged = false;
    fake.messageBoxResponses = [];
    fake.openDialogPaths = [];
    fake.appEvents = new FakeEmitter();
    fake.handlers = new Map();
    vi.clearAllMocks();
  },
};

export const app = {
  requestSingleInstanceLock: () => fake.lock,
  on: (event: string, fn: Listener) => fake.appEvents.on(event, fn),
  /** Like Electron: quitting emits before-quit, which a listener may prevent. */
  quit: vi.fn(() => {
    events.push("app.quit");
    fake.appEvents.emit("before-quit", { preventDefault: () => undefined });
  }),
  exit: vi.fn((code: number) => events.push(`app.exit ${code}`)),
  whenReady: () => Promise.resolve(),
  getPath: (name: string) => (name === "userData" ? fake.userData : `/tmp/${name}`),
  get isPackaged() {
    return fake.packaged;
  },
};

export const dialog = {
  showMessageBox: vi.fn(async (..._args: unknown[]) => {
    events.push("dialog");
    return { response: fake.messageBoxResponses.shift() ?? 0, checkboxChecked: false };
  }),
  showMessageBoxSync: vi.fn((..._args: unknown[]) => {
    events.push("dialog");
    return fake.messageBoxResponses.shift() ?? 0;
  }),
  showOpenDialog: vi.fn(async () => {
    const path = fake.openDialogPaths.shift();
    return { canceled: !path, filePaths: path ? [path] : [] };
  }),
  showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: "" })),
};

export const shell = {
  openExternal: vi.fn(async (_url: string) => undefined),
  showItemInFolder: vi.fn(),
  openPath: vi.fn(async () => ""),
};

export const ipcMain = {
  handle: (channel: string, fn: Listener) => fake.handlers.set(channel, fn),
  removeHandler: (channel: string) => fake.handlers.delete(channel),
};

export const Menu = {
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu: vi.fn(() => events.push("menu")),
};

export const nativeImage = { createFromDataURL: () => ({}) };

export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = { invoke: vi.fn(async (..._args: unknown[]) => undefined) };

export default {
  app,
  BrowserWindow,
  Tray,
  dialog,
  shell,
  ipcMain,
  Menu,
  nativeImage,
  contextBridge,
  ipcRenderer,
};
