// The window stays on the app's origin: other origins are refused, web links go to the
// system browser (http/https only), window.open never opens an Electron window.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BrowserWindow, events, fake, shell } from "./main-fake-electron.ts";
import { createMainWindow, isExternalWebUrl, isSameOrigin } from "../../src-main/window.ts";

vi.mock("electron", () => import("./main-fake-electron.ts"));

beforeEach(() => fake.reset());

function open() {
  createMainWindow({ url: "http://127.0.0.1:8080", preloadPath: "/p.cjs" });
  return BrowserWindow.all[0]!;
}

describe("main window", () => {
  it("runs sandboxed, isolated, without Node, and hands the URL to the preload", () => {
    const win = open();
    expect(win.options.webPreferences).toEqual({
      preload: "/p.cjs",
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      additionalArguments: ["--fluxbase-server-url=http://127.0.0.1:8080"],
    });
    expect(win.loaded).toEqual(["http://127.0.0.1:8080"]);
  });

  it("allows navigation within the app and refuses other origins", () => {
    const win = open();
    expect(win.webContents.navigate("http://127.0.0.1:8080/#/runs")).toBe(false);
    expect(win.webContents.navigate("http://127.0.0.1:9999/")).toBe(true);
    expect(win.webContents.navigate("https://example.com/")).toBe(true);
    expect(win.webContents.navigate("file:///etc/passwd")).toBe(true);
    expect(shell.openExternal.mock.calls).toEqual([
      ["http://127.0.0.1:9999/"],
      ["https://example.com/"],
    ]);
  });

  it("denies window.open; http(s) links open in the system browser, nothing else does", () => {
    const win = open();
    const handler = win.webContents.windowOpenHandler!;
    for (const url of [
      "https://fluxbase.eu/",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "smb://host/share",
      "http://127.0.0.1:8080/x",
    ]) {
      expect(handler({ url })).toEqual({ action: "deny" });
    }
    expect(shell.openExternal.mock.calls).toEqual([["https://fluxbase.eu/"]]);
  });
});

describe("unsaved work", () => {
  function unload(win: BrowserWindow): boolean {
    let allowed = false;
    win.webContents.emit("will-prevent-unload", { preventDefault: () => (allowed = true) });
    return allowed;
  }

  it("asks before a page with unsaved work unloads: Leave unloads, Stay keeps it", () => {
    const win = open();
    fake.messageBoxResponses = [0, 1];
    expect(unload(win)).toBe(true);
    expect(unload(win)).toBe(false);
    expect(events.filter((e) => e === "dialog")).toHaveLength(2);
  });
});

describe("URL checks", () => {
  it("compares origins and accepts only web links", () => {
    expect(isSameOrigin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080")).toBe(true);
    expect(isSameOrigin("http://localhost:8080/", "http://127.0.0.1:8080")).toBe(false);
    expect(isSameOrigin("not a url", "http://127.0.0.1:8080")).toBe(false);
    expect(isExternalWebUrl("https://a.b")).toBe(true);
    expect(isExternalWebUrl("mailto:a@b")).toBe(false);
  });
});
